"""Outreach pages (Chinese by default, ``?lang=en`` for English): a unit's outreach for a period with
plan versus actual and the forms to set its targets, an activity with its history, and the spreadsheet
import with a progress bar. The publications (三审三校) are in publication_pages.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from contracts.commands import Actor
from contracts.envelope import utc_now
from contracts.outreach import ActivityKind
from services.eventkit.client import new_command_id
from services.eventkit.localtime import local_date
from services.gateway.api import sanji_of
from services.gateway.auth import page_actor
from services.gateway.catalog import Messages
from services.gateway.commands import read_body
from services.gateway.errors import GatewayError, error_response
from services.gateway.forms import MAX_FORM_BYTES, new_form, parse_form, send_form
from services.gateway.labels import Words
from services.gateway.outreach_api import in_scope, job_for, q, report_response, start_import, summary
from services.gateway.pages import unit_crumbs, unit_names, views_of
from services.gateway.params import passed
from services.gateway.reads import checked_path, kinds_by_month, query
from services.gateway.target_forms import TARGET_FORMS
from services.gateway.views import lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
UPLOAD_HEADER = "x-sanji-upload"  # a form on another site cannot set it: the upload is this page's own


@dataclass(frozen=True)
class OutreachWords(Messages):
    """The outreach pages' labels: the catalog's ``outreach.`` keys, else the shared ones, so that the
    form macro's ``field.<name>`` and ``<group>.<value>`` find the words every page uses."""

    prefix: str = "outreach."

    def text(self, key: str) -> str | None:
        found = super().text(key)
        return found if found is not None else Messages(self.lang).text(key)


def words_of(request: Request) -> OutreachWords:
    return OutreachWords(lang_of(request))


@router.get("/outreach/units/{unitpath}")
async def unit_outreach(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    return await render_unit(request, actor, unitpath, {})


@router.post("/outreach/units/{unitpath}/targets/{which}")
async def set_target(unitpath: str, which: str, request: Request, actor: PageActor) -> Response:
    """A target form (activities or meetings of a kind per period) for this unit, then the unit's page
    for the plan year, showing the target."""
    wanted = TARGET_FORMS.get(which)
    if wanted is None:
        raise GatewayError("not_found", f"there is no target form {which}")
    path = checked_path(unitpath, actor)
    values = parse_form(await read_body(request, MAX_FORM_BYTES))
    form = new_form(values.get("form_id") or new_command_id(), values)
    shown = [field.name for field in wanted.fields_for(0)]
    words = Words(lang_of(request))
    body = wanted.body(path, values)
    reply = await send_form(sanji_of(request), actor, wanted.model, body, form=form, shown=shown, words=words)
    if reply is None:
        return await render_unit(request, actor, path, {which: form}, status=form["status"])
    written = {"after": reply.position} if reply.position else {}
    target = link(f"/outreach/units/{path}", lang_of(request), period=values.get("year", ""), **written)
    return RedirectResponse(f"{target}#targets", status_code=303)


async def render_unit(
    request: Request, actor: Actor, unitpath: str, forms: dict[str, dict[str, Any]], status: int = 200
) -> HTMLResponse:
    found = await summary(request, actor, unitpath)
    listed = await query(
        sanji_of(request),
        q("activities"),
        {"path": found["unit"]["path"], "period": found["period"]["label"], "limit": 50},
    )
    meetings = await query(
        sanji_of(request),
        q("meeting_targets"),
        {
            "path": found["unit"]["path"],
            "year": int(found["period"]["label"][:4]),
            **passed(request, "after"),
        },
    )
    monthly = await kinds_by_month(
        sanji_of(request), found["unit"]["path"], int(found["period"]["label"][:4])
    )
    this_year = local_date(utc_now()).year
    offered = [form for form in TARGET_FORMS.values() if form.offered_to(actor)]
    return views_of(request).render(
        request,
        "outreach_unit.html",
        status,
        actor=actor,
        o=words_of(request),
        s=found,
        kinds=[kind.value for kind in ActivityKind],
        activities=listed["activities"],
        total=listed["total"],
        meeting_targets=meetings["targets"],
        monthly=monthly,
        crumbs=await unit_crumbs(request, actor, found["unit"]["path"]),
        names=await unit_names(request, (activity["unit"] for activity in listed["activities"])),
        target_forms=[(form, form.fields_for(this_year)) for form in offered],
        forms={
            form.name: forms.get(form.name) or new_form(new_command_id(), {"year": str(this_year)})
            for form in offered
        },
        page_path=f"/outreach/units/{found['unit']['path']}",
    )


@router.get("/outreach/activities/{activity_id}")
async def activity_page(activity_id: str, request: Request, actor: PageActor) -> HTMLResponse:
    found = await in_scope(request, actor, "activity", activity_id)
    return views_of(request).render(
        request,
        "outreach_activity.html",
        actor=actor,
        o=words_of(request),
        a=found["activity"],
        history=found["history"],
        crumbs=await unit_crumbs(request, actor, found["activity"]["unit"]),
        names=await unit_names(request, [found["activity"]["unit"]]),
    )


@router.get("/outreach/import")
async def import_page(request: Request, actor: PageActor) -> HTMLResponse:
    unit = checked_path(request.query_params.get("unit") or actor.scope, actor)
    return views_of(request).render(
        request, "outreach_import.html", actor=actor, o=words_of(request), unit=unit
    )


@router.post("/outreach/import")
async def import_upload(request: Request, actor: PageActor) -> Response:
    """The import page's upload (sent by its script): answers the job as JSON."""
    if request.headers.get(UPLOAD_HEADER) != "1":
        return error_response(GatewayError("forbidden", "uploads come from the import page"))
    try:
        job = await start_import(request, actor)
    except GatewayError as error:
        return error_response(error)
    return JSONResponse(job.as_json(), status_code=202)


@router.get("/outreach/import/{job_id}")
async def import_progress(job_id: str, request: Request, actor: PageActor) -> Response:
    try:
        return JSONResponse(job_for(request, actor, job_id).as_json())
    except GatewayError as error:
        return error_response(error)


@router.get("/outreach/import/{job_id}/report.csv")
async def import_report(job_id: str, request: Request, actor: PageActor) -> Response:
    return report_response(job_for(request, actor, job_id))

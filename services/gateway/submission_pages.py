"""信息报送 of a unit (``/outreach/units/<path>/submissions``): the period's items with their adoptions,
counts by level, quotas with the shortfall of each child, the units without an information officer
(projection query ``outreach.submissions``), and the forms to record an item, its adoption and (leaders
and admins) a quota. Once accepted, a form leads back to the page showing the new state (``after=``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.commands import Actor
from contracts.envelope import utc_now
from contracts.outreach_submissions import SubmissionLevel
from services.eventkit.client import new_command_id
from services.eventkit.localtime import local_date
from services.gateway.api import sanji_of
from services.gateway.auth import page_actor
from services.gateway.commands import read_body
from services.gateway.errors import GatewayError
from services.gateway.forms import MAX_FORM_BYTES, new_form, parse_form, refusal, send_form
from services.gateway.labels import Words
from services.gateway.outreach_api import q
from services.gateway.outreach_pages import words_of
from services.gateway.pages import unit_crumbs, unit_names, views_of
from services.gateway.params import passed
from services.gateway.period_words import local_date as day_words
from services.gateway.reads import checked_path, query
from services.gateway.submission_forms import ITEM_FORMS, QUOTA_FORM, item_body, item_options
from services.gateway.target_forms import TargetForm
from services.gateway.views import lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
LEVELS = [level.value for level in SubmissionLevel]


def page_of(path: str) -> str:
    return f"/outreach/units/{path}/submissions"


async def read(request: Request, path: str) -> dict[str, Any]:
    """``outreach.submissions`` for a unit already checked in scope: the period asked (a form's action
    carries the page's), else this month."""
    params: dict[str, Any] = {"path": path, **passed(request, "period", "after")}
    return await query(sanji_of(request), q("submissions"), params)


@router.get("/outreach/units/{unitpath}/submissions")
async def submissions_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    return await render(request, actor, checked_path(unitpath, actor), {})


@router.post("/outreach/units/{unitpath}/submissions/{name}")
async def send_submission_form(unitpath: str, name: str, request: Request, actor: PageActor) -> Response:
    """One form of the page: its command on this unit (in the actor's scope), as the session's actor."""
    path = checked_path(unitpath, actor)  # another county's unit: the 404 of a missing one
    wanted = ITEM_FORMS.get(name) or (QUOTA_FORM if name == QUOTA_FORM.name else None)
    if wanted is None:
        raise GatewayError("not_found", f"there is no submissions form {name}")
    if not wanted.offered_to(actor):
        raise GatewayError("forbidden", f"{wanted.command} needs one of the roles it allows")
    values = parse_form(await read_body(request, MAX_FORM_BYTES))
    form = new_form(values.get("form_id") or new_command_id(), values)
    words = Words(lang_of(request))
    if isinstance(wanted, TargetForm):
        body, shown = wanted.body(path, values), [field.name for field in wanted.fields_for(0)]
    else:
        found = await read(request, path)
        items = {item["submission_id"]: item for item in found["items"]}
        chosen = values.get("submission_id", "")
        if name == "record_adoption" and chosen and chosen not in items:
            # only an item the page lists (of the unit's subtree): never one named by a forged field
            form["errors"]["submission_id"] = refusal("not_offered", {}, "not one of the choices", words.lang)
            return await render(request, actor, path, {name: form}, status=422)
        body, shown = item_body(wanted, path, form["id"], values, items), wanted.shown
    reply = await send_form(sanji_of(request), actor, wanted.model, body, form=form, shown=shown, words=words)
    if reply is None:
        return await render(request, actor, path, {name: form}, status=form["status"])
    written = {"after": reply.position} if reply.position else {}
    period = request.query_params.get("period")
    chosen_period = {"period": period} if period else {}  # back to the period the page showed
    target = link(page_of(path), lang_of(request), **chosen_period, **written)
    return RedirectResponse(target, status_code=303)


async def render(
    request: Request,
    actor: Actor,
    path: str,
    forms: dict[str, dict[str, Any]],
    status: int = 200,
) -> HTMLResponse:
    found = await read(request, path)
    lang = lang_of(request)
    this_year = local_date(utc_now()).year
    offered = [form for form in ITEM_FORMS.values() if form.offered_to(actor)]
    quota = QUOTA_FORM.offered_to(actor)
    blank = {"year": str(this_year)}
    names = await unit_names(request, (item["unit"] for item in found["items"]))
    return views_of(request).render(
        request,
        "outreach_submissions.html",
        status,
        actor=actor,
        o=words_of(request),
        s=found,
        levels=LEVELS,
        names=names,
        offered=offered,
        quota_fields=QUOTA_FORM.fields_for(this_year) if quota else (),
        forms={
            name: forms.get(name) or new_form(new_command_id(), dict(blank))
            for name in [*(form.name for form in offered), *([QUOTA_FORM.name] if quota else [])]
        },
        options={
            "record_adoption": {
                "submission_id": item_options(found["items"], lambda day: day_words(day, lang))
            }
        },
        crumbs=await unit_crumbs(request, actor, path),
        page_path=page_of(path),
    )

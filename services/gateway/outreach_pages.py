"""Outreach pages (Chinese by default, ``?lang=en`` for English): a unit's outreach for a period with
plan versus actual, an activity with its history, and the spreadsheet import with a progress bar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from contracts.commands import Actor
from contracts.outreach import ActivityKind
from services.gateway.api import sanji_of
from services.gateway.auth import page_actor
from services.gateway.catalog import Messages
from services.gateway.errors import GatewayError, error_response
from services.gateway.outreach_api import in_scope, job_for, q, report_response, start_import, summary
from services.gateway.pages import unit_crumbs, unit_names, views_of
from services.gateway.reads import checked_path, query
from services.gateway.views import lang_of

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
UPLOAD_HEADER = "x-sanji-upload"  # a form on another site cannot set it: the upload is this page's own


def words_of(request: Request) -> Messages:
    return Messages(lang_of(request), "outreach.")


@router.get("/outreach/units/{unitpath}")
async def unit_outreach(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    found = await summary(request, actor, unitpath)
    listed = await query(
        sanji_of(request),
        q("activities"),
        {"path": found["unit"]["path"], "period": found["period"]["label"], "limit": 50},
    )
    return views_of(request).render(
        request,
        "outreach_unit.html",
        actor=actor,
        o=words_of(request),
        s=found,
        kinds=[kind.value for kind in ActivityKind],
        activities=listed["activities"],
        total=listed["total"],
        crumbs=await unit_crumbs(request, actor, found["unit"]["path"]),
        names=await unit_names(request, (activity["unit"] for activity in listed["activities"])),
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

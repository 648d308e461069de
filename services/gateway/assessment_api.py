"""Assessment (考核) over HTTP: reads of the assessment view cut to the actor's subtree, and a bulletin as
JSON or as an Excel workbook. (Commands go through ``POST /api/v1/commands/assessment/<name>``; the pages
are in assessment_pages.py.)

A bulletin is circulated to every unit it ranks: besides the bulletins of units in their subtree, actors
may read a bulletin published above them when it ranks a unit of theirs, and see it whole."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from contracts.commands import Actor
from contracts.queries.assessment import BulletinAnswer
from contracts.units import UnitPathError, is_within, parse_unit_path
from services.gateway.api import sanji_of
from services.gateway.assessment_xlsx import MEDIA_TYPE, disposition, workbook
from services.gateway.auth import api_actor
from services.gateway.errors import GatewayError, field_error
from services.gateway.params import passed
from services.gateway.reads import checked_path, query, unseen

router = APIRouter()
ApiActor = Annotated[Actor, Depends(api_actor)]
FORMATS = ("json", "xlsx")


def q(name: str) -> str:
    return f"projection.assessment.{name}"


async def unit_score(request: Request, actor: Actor, unitpath: str) -> dict[str, Any]:
    params = {"path": checked_path(unitpath, actor), **passed(request, "period", "after")}
    return await query(sanji_of(request), q("unit"), params)


async def unit_bulletins(request: Request, actor: Actor, unitpath: str) -> dict[str, Any]:
    params = {"path": checked_path(unitpath, actor), **passed(request, "after")}
    return await query(sanji_of(request), q("bulletins"), params)


async def unit_appeals(request: Request, actor: Actor, unitpath: str) -> dict[str, Any]:
    """The appeals filed by units in the subtree (after a form: once the view shows the one just sent)."""
    params = {"path": checked_path(unitpath, actor), **passed(request, "after")}
    return await query(sanji_of(request), q("appeals"), params)


async def visible_bulletin(request: Request, actor: Actor, unitpath: str, period: str) -> dict[str, Any]:
    """A bulletin published in the actor's subtree, or above it when it ranks a unit of the actor's
    subtree; any other is answered as not found, whether it exists or not."""
    try:
        parse_unit_path(unitpath)
    except UnitPathError as error:
        raise field_error("unitpath", str(error)) from None
    below, above = is_within(unitpath, actor.scope), is_within(actor.scope, unitpath)
    if not (below or above):
        raise unseen("bulletin", f"{unitpath}/{period}")
    params = {"path": unitpath, "period": period, **passed(request, "version", "after")}
    try:
        found = await query(sanji_of(request), q("bulletin"), params)
    except GatewayError as error:
        if error.code == "not_found" and not below:  # above the actor: missing and not theirs read alike
            raise unseen("bulletin", f"{unitpath}/{period}") from None
        raise
    if not below and not any(is_within(row["unit"], actor.scope) for row in found["rows"]):
        raise unseen("bulletin", f"{unitpath}/{period}")
    return found


async def bulletin_answer(
    request: Request, actor: Actor, unitpath: str, period: str
) -> Response | dict[str, Any]:
    """The bulletin as JSON, or as a workbook download with ``format=xlsx``."""
    wanted = request.query_params.get("format") or "json"
    if wanted not in FORMATS:
        raise field_error("format", f"one of {', '.join(FORMATS)}")
    found = await visible_bulletin(request, actor, unitpath, period)
    if wanted == "json":
        return found
    headers = {"Content-Disposition": disposition(found), "Cache-Control": "private"}
    return Response(workbook(found), media_type=MEDIA_TYPE, headers=headers)


@router.get(
    "/api/v1/assessment/bulletins/{unitpath}/{period}",
    response_model=None,
    responses={
        200: {"model": BulletinAnswer, "description": "The bulletin (JSON), or with format=xlsx a workbook"}
    },
)
async def get_bulletin(
    unitpath: str, period: str, request: Request, actor: ApiActor
) -> Response | dict[str, Any]:
    """One version (``version``, default the newest) of a bulletin with its rows and every version;
    ``format=xlsx`` for an Excel workbook with one sheet per level."""
    return await bulletin_answer(request, actor, unitpath, period)

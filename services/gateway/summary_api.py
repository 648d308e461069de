"""The work summary over HTTP: ``GET /api/v1/summaries/{unitpath}?period=2025`` as JSON, as a workbook
(``format=xlsx``) or as a Word draft (``format=docx``); the unit kept inside the actor's subtree (out of
scope reads as not found). The records behind meeting, survey and award figures have a generated route."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from contracts.commands import Actor
from contracts.envelope import utc_now
from contracts.queries import QUERIES
from contracts.queries.summary import WorkSummaryAnswer
from services.eventkit.localtime import local_date
from services.gateway import summary_docx, summary_xlsx
from services.gateway.auth import api_actor
from services.gateway.errors import field_error
from services.gateway.query_routes import answer

router = APIRouter()
ApiActor = Annotated[Actor, Depends(api_actor)]
FORMATS = ("json", "xlsx", "docx")
CONTRACT = QUERIES["summary"]


async def summary_answer(request: Request, actor: Actor) -> Response | dict[str, Any]:
    """The summary as JSON, or as a download in the ``format`` asked for."""
    wanted = request.query_params.get("format") or "json"
    if wanted not in FORMATS:
        raise field_error("format", f"one of {', '.join(FORMATS)}")
    found = await answer(request, actor, CONTRACT)
    if wanted == "json":
        return found
    if wanted == "xlsx":
        body, media = summary_xlsx.workbook(found), summary_xlsx.MEDIA_TYPE
    else:
        body, media = summary_docx.document(found, local_date(utc_now())), summary_docx.MEDIA_TYPE
    headers = {"Content-Disposition": summary_xlsx.disposition(found, wanted), "Cache-Control": "private"}
    return Response(body, media_type=media, headers=headers)


@router.get(
    "/api/v1/summaries/{unitpath}",
    response_model=None,
    operation_id="query.summary",
    tags=["summary"],
    responses={
        200: {
            "model": WorkSummaryAnswer,
            "description": "The summary (JSON); with format=xlsx a workbook, with format=docx a Word draft",
        }
    },
)
async def get_summary(unitpath: str, request: Request, actor: ApiActor) -> Response | dict[str, Any]:
    """Every figure of the unit's subtree for ``period`` (2025 or 2025-Q3) with the previous period and the
    plan; ``format=xlsx`` or ``format=docx`` for a download."""
    return await summary_answer(request, actor)

"""Opinion (舆情) over HTTP: reads of the opinion view cut to the actor's subtree (the pages are in
opinion_pages.py). (Commands go through the generic
``POST /api/v1/commands/opinion/<name>``; monitoring systems use ``sanji.ingest.opinion.<kind>.<system>.<unit tokens>``.)"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from contracts.commands import Actor
from contracts.queries.opinion import PlansAnswer
from services.gateway.api import sanji_of
from services.gateway.auth import api_actor
from services.gateway.params import passed
from services.gateway.reads import checked_path, query, scoped_record

router = APIRouter()
ApiActor = Annotated[Actor, Depends(api_actor)]
CASE_UNITS = ("reported_unit", "owning_unit", "desk", "assignee", "supervisor")


def q(name: str) -> str:
    return f"projection.opinion.{name}"


async def unit_stats(request: Request, actor: Actor, unitpath: str) -> dict[str, Any]:
    params = {"path": checked_path(unitpath, actor), **passed(request, "period", "from", "to", "after")}
    return await query(sanji_of(request), q("unit_stats"), params)


async def unit_cases(request: Request, actor: Actor, unitpath: str) -> dict[str, Any]:
    params = {
        "path": checked_path(unitpath, actor),
        **passed(request, "filter", "period", "from", "to", "limit", "offset"),
    }
    return await query(sanji_of(request), q("cases"), params)


async def visible_case(request: Request, actor: Actor, case_id: str) -> dict[str, Any]:
    """A case the actor's unit may see: one of its units (reported, owning, holding, assigned or
    supervising) lies in the actor's subtree; any other is answered as not found."""
    return await scoped_record(
        sanji_of(request),
        q("case"),
        "case",
        case_id,
        actor,
        units=lambda found: [found.get(c) for c in CASE_UNITS],
        **passed(request, "after"),  # after a form: wait until the case shows the step just taken
    )


@router.get("/api/v1/opinion/plans", response_model=PlansAnswer)
async def get_plans(request: Request, actor: ApiActor) -> dict[str, Any]:
    """The response plan versions of the actor's city, newest first."""
    return await query(sanji_of(request), q("plans"), {"path": actor.scope, **passed(request, "after")})

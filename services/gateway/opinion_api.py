"""Opinion (舆情) over HTTP: reads of the opinion view cut to the actor's subtree, and two pages — a unit's
statistics with its cases, and one case's timeline. (Commands go through the generic
``POST /api/v1/commands/opinion/<name>``; monitoring systems use ``sanji.ingest.opinion.<kind>.<system>.<unit tokens>``.)"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from contracts.commands import Actor
from contracts.queries.opinion import PlansAnswer
from services.gateway.api import sanji_of
from services.gateway.auth import api_actor, page_actor
from services.gateway.opinion_labels import OpinionWords
from services.gateway.pages import unit_crumbs, unit_names
from services.gateway.params import passed
from services.gateway.reads import checked_path, query, scoped_record
from services.gateway.views import Views, lang_of

router = APIRouter()
ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]
CASE_UNITS = ("reported_unit", "owning_unit", "desk", "assignee", "supervisor")


def q(name: str) -> str:
    return f"projection.opinion.{name}"


async def unit_stats(request: Request, actor: Actor, unitpath: str) -> dict[str, Any]:
    params = {"path": checked_path(unitpath, actor), **passed(request, "period", "from", "to")}
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
    )


@router.get("/api/v1/opinion/plans", response_model=PlansAnswer)
async def get_plans(request: Request, actor: ApiActor) -> dict[str, Any]:
    """The response plan versions of the actor's city, newest first."""
    return await query(sanji_of(request), q("plans"), {"path": actor.scope, **passed(request, "after")})


# ---------------------------------------------------------------- pages


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    views: Views = request.app.state.views
    return views.render(request, template, o=OpinionWords(lang_of(request)), **context)


@router.get("/opinion/units/{unitpath}", include_in_schema=False)
async def unit_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    stats = await unit_stats(request, actor, unitpath)
    cases = await unit_cases(request, actor, unitpath)
    return render(
        request,
        "opinion_unit.html",
        actor=actor,
        unit=stats,
        cases=cases,
        times=("acknowledge", "first_response", "close"),
        crumbs=await unit_crumbs(request, actor, stats["path"]),
        names=await unit_names(request, (case["assignee"] or case["desk"] for case in cases["cases"])),
    )


@router.get("/opinion/cases/{case_id}", include_in_schema=False)
async def case_page(case_id: str, request: Request, actor: PageActor) -> HTMLResponse:
    case = await visible_case(request, actor, case_id)
    mentioned = [case.get(key) for key in ("reported_unit", "owning_unit", "desk", "supervisor", "assignee")]
    mentioned += [entry.get("unit") for entry in case["timeline"]]
    mentioned += [(entry.get("detail") or {}).get("to_unit") for entry in case["timeline"]]
    return render(
        request, "opinion_case.html", actor=actor, case=case, names=await unit_names(request, mentioned)
    )

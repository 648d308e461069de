"""Duty over HTTP: reads of the duty view cut to the actor's subtree (JSON under ``/api/v1/duty``)
and the duty page of a unit (``/duty/units/<path>``, Chinese by default, ``?lang=en`` for English).
Commands go through the generic ``POST /api/v1/commands/duty/<name>``."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from contracts.commands import Actor
from services.gateway.api import sanji_of
from services.gateway.auth import api_actor, page_actor
from services.gateway.duty_labels import DutyWords
from services.gateway.pages import unit_crumbs, views_of
from services.gateway.params import passed
from services.gateway.reads import checked_path, query
from services.gateway.views import lang_of

router = APIRouter()
ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]


async def read(request: Request, actor: Actor, name: str, unitpath: str, *names: str) -> dict[str, Any]:
    """Projection query ``duty.<name>`` for a unit in the actor's scope, passing the named parameters."""
    params: dict[str, Any] = {"path": checked_path(unitpath, actor)}
    params |= passed(request, *names)
    if "subtree" in params:
        params["subtree"] = params["subtree"] in ("1", "true", "yes")
    return await query(sanji_of(request), f"projection.duty.{name}", params)


@router.get("/duty/units/{unitpath}", include_in_schema=False)
async def duty_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    """A unit's duty at a glance: counts, the responsibility list and outlets as of a date, gaps,
    rectifications, and outlets against their inspection cadence, half-yearly reports, social organizations."""
    summary, listed, gaps, rectifications, records = await asyncio.gather(
        read(request, actor, "unit", unitpath),
        read(request, actor, "responsibility_list", unitpath, "as_of"),
        read(request, actor, "gaps", unitpath),
        read(request, actor, "rectifications", unitpath),
        read(request, actor, "records", unitpath, "as_of"),
    )
    return views_of(request).render(
        request,
        "duty_unit.html",
        actor=actor,
        s=summary,
        r=listed,
        gaps=gaps["gaps"],
        rectifications=[x for x in rectifications["rectifications"] if x["state"] != "closed"],
        records=records,
        d=DutyWords(lang_of(request)),
        crumbs=await unit_crumbs(request, actor, summary["path"]),
    )

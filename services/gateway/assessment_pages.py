"""The assessment pages: a unit's score for a period (explanation, subunits ranked, trend, bulletins) and a
bulletin as a page with its versions and downloads. Chinese by default, ``?lang=en`` for English."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from contracts.commands import Actor
from contracts.units import is_within
from services.gateway.assessment_api import bulletin_answer, unit_bulletins, unit_score, visible_bulletin
from services.gateway.assessment_labels import AssessmentWords
from services.gateway.assessment_sentences import line_sentences, rollup_text
from services.gateway.assessment_xlsx import sections
from services.gateway.auth import page_actor
from services.gateway.pages import unit_crumbs, views_of
from services.gateway.views import lang_of

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
EXPLANATION_PARTS = ("indicators", "deductions", "bonuses", "vetoes", "adjustments")


def points(value: float | None) -> str:
    """Points to two decimals without trailing zeros: 88.5, 90, −2."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def render(request: Request, template: str, actor: Actor, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    return views_of(request).render(
        request,
        template,
        actor=actor,
        a=AssessmentWords(lang),
        pts=points,
        sentences=lambda line: line_sentences(line, lang),
        rollup_text=lambda rollup: rollup_text(rollup, lang),
        **context,
    )


@router.get("/assessment/units/{unitpath}")
async def unit_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    found, bulletins = await asyncio.gather(
        unit_score(request, actor, unitpath), unit_bulletins(request, actor, unitpath)
    )
    return render(
        request,
        "assessment_unit.html",
        actor,
        u=found,
        parts=EXPLANATION_PARTS,
        bulletins=bulletins["bulletins"],
        crumbs=await unit_crumbs(request, actor, found["path"]),
    )


@router.get("/assessment/bulletins/{unitpath}/{period}")
async def bulletin_page(unitpath: str, period: str, request: Request, actor: PageActor) -> HTMLResponse:
    found = await visible_bulletin(request, actor, unitpath, period)
    return render(
        request,
        "assessment_bulletin.html",
        actor,
        b=found,
        sections=sections(found["rows"]),
        publisher_in_scope=is_within(found["unit"], actor.scope),
    )


@router.get("/assessment/bulletins/{unitpath}/{period}/download", response_model=None)
async def bulletin_download(
    unitpath: str, period: str, request: Request, actor: PageActor
) -> Response | dict[str, Any]:
    """The API's bulletin answer (``format=xlsx`` or json) for a person logged in with the cookie."""
    return await bulletin_answer(request, actor, unitpath, period)

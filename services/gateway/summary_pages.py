"""The work summary page: a unit's figures for a year or a quarter with the previous period and the plan,
each linked to the records behind it where a page lists them, and the xlsx and docx downloads."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.commands import Actor
from contracts.envelope import utc_now
from services.eventkit.localtime import local_date
from services.gateway.auth import page_actor
from services.gateway.pages import unit_crumbs, views_of
from services.gateway.summary_api import summary_answer
from services.gateway.summary_words import SummaryWords
from services.gateway.views import lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
YEARS_OFFERED = 3
# The pages that list the records behind a figure, by the query its link names.
PAGES = {
    "outreach.activities": "/outreach/units/{path}",
    "outreach.publications": "/outreach/units/{path}",
    "outreach.submissions": "/outreach/units/{path}/submissions",
    "opinion.cases": "/opinion/units/{path}",
    "duty.outlets": "/duty/units/{path}",
    "duty.posts": "/duty/units/{path}",
    "duty.inspections": "/duty/units/{path}",
    "duty.rectifications": "/duty/units/{path}",
    "duty.records": "/duty/units/{path}",
    "assessment.unit": "/assessment/units/{path}",
}


def period_choices(lang: str) -> list[tuple[str, str]]:
    """The years and quarters a summary is written for (a summary has no month), newest first."""
    words, year = SummaryWords(lang), local_date(utc_now()).year
    labels: list[str] = []
    for each in range(year, year - YEARS_OFFERED, -1):
        labels += [str(each), *(f"{each}-Q{q}" for q in range(4, 0, -1))]
    return [(label, words.period(label)) for label in labels]


def record_page(figure: dict[str, Any]) -> dict[str, Any] | None:
    """The page listing a figure's records and its period where it takes one; None if no page does."""
    link = figure["link"]
    page = PAGES.get(link["query"])
    if page is None:
        return None
    params = {name: link["params"][name] for name in ("period", "as_of") if link["params"].get(name)}
    return {"path": page.format(path=link["params"]["path"]), "params": params}


@router.get("/summaries/{unitpath}", response_model=None)
async def summary_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse | RedirectResponse:
    """The page for ``period``; without one, this year's (a redirect, so the address says which)."""
    lang = lang_of(request)
    if not request.query_params.get("period"):
        this_year = str(local_date(utc_now()).year)
        return RedirectResponse(link(request.url.path, lang, period=this_year), status_code=303)
    found = await summary_answer(request, actor)
    assert isinstance(found, dict)
    sections = [
        (name, list(figures)) for name, figures in groupby(found["figures"], key=lambda f: f["section"])
    ]
    return views_of(request).render(
        request,
        "summary.html",
        actor=actor,
        s=found,
        w=SummaryWords(lang),
        sections=sections,
        choices=period_choices(lang),
        record_page=record_page,
        crumbs=await unit_crumbs(request, actor, found["unit"]["path"]),
    )


@router.get("/summaries/{unitpath}/download", response_model=None)
async def summary_download(unitpath: str, request: Request, actor: PageActor) -> Response | dict[str, Any]:
    """The API's summary (``format=xlsx`` or ``docx``) for a person logged in with the cookie."""
    return await summary_answer(request, actor)

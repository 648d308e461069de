"""The assessment pages: a unit's score for a period (explanation, subunits ranked, trend, bulletins,
appeals) with the forms its viewer may use (adjust the score, publish a bulletin, file or decide an
appeal), and a bulletin as a page with its versions and downloads. Chinese by default, ``?lang=en`` for
English. Every form sends its command as the session's actor for a unit of the actor's subtree and, once
accepted, leads to the page showing what it wrote (``after=<position>``)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.assessment import AdjustScore, DecideAppeal, FileAppeal, PublishBulletin
from contracts.commands import Actor, Command
from contracts.envelope import utc_now
from contracts.units import is_within
from services.eventkit.client import new_command_id
from services.eventkit.localtime import local_date
from services.gateway import assessment_forms as forms
from services.gateway.api import sanji_of
from services.gateway.assessment_api import (
    bulletin_answer,
    unit_appeals,
    unit_bulletins,
    unit_score,
    visible_bulletin,
)
from services.gateway.assessment_labels import AssessmentWords
from services.gateway.assessment_rescored import rescored
from services.gateway.assessment_sentences import line_sentences, rollup_text
from services.gateway.assessment_xlsx import sections
from services.gateway.auth import page_actor
from services.gateway.commands import read_body
from services.gateway.form_fields import FormField
from services.gateway.forms import MAX_FORM_BYTES, new_form, parse_form, send_form
from services.gateway.labels import Words
from services.gateway.pages import unit_crumbs, views_of
from services.gateway.params import passed
from services.gateway.reads import checked_path, unseen
from services.gateway.views import lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
EXPLANATION_PARTS = ("indicators", "deductions", "bonuses", "vetoes", "adjustments")
Forms = dict[str, dict[str, Any]]


def points(value: float | None) -> str:
    """Points to two decimals without trailing zeros: 88.5, 90, −2."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def render(request: Request, template: str, actor: Actor, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    return views_of(request).render(
        request,
        template,
        status,
        actor=actor,
        a=AssessmentWords(lang),
        pts=points,
        sentences=lambda line: line_sentences(line, lang),
        rollup_text=lambda rollup: rollup_text(rollup, lang),
        **context,
    )


@router.get("/assessment/units/{unitpath}")
async def unit_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    return await render_unit(request, actor, unitpath, {})


async def render_unit(
    request: Request, actor: Actor, unitpath: str, sent: Forms, status: int = 200
) -> HTMLResponse:
    """The unit's page; ``sent``: a refused form by name, shown again with its refusals."""
    found, bulletins, appeals = await asyncio.gather(
        unit_score(request, actor, unitpath),
        unit_bulletins(request, actor, unitpath),
        unit_appeals(request, actor, unitpath),
    )
    path, period = found["path"], found["period"]["label"]
    periods = forms.appealable_periods(bulletins["bulletins"], path)
    offered = forms.offered(actor, found["score"], periods)
    # Waiting appeals this viewer decides come first ("what needs me now"), each with its decision form.
    waiting = [appeal for appeal in appeals["appeals"] if forms.decidable(appeal, actor)]
    blank = {"adjust": {}, "publish": {"period": period}, "appeal": {"period": period}}
    shown = {name: sent.get(name) or new_form(new_command_id(), values) for name, values in blank.items()}
    for appeal in waiting:
        key = f"decide-{appeal['appeal_id']}"
        shown[key] = sent.get(key) or new_form(new_command_id())
    on_page = {name for name, yes in offered.items() if yes} | {
        key for key in shown if key.startswith("decide-")
    }
    return render(
        request,
        "assessment_unit.html",
        actor,
        status,
        u=found,
        parts=EXPLANATION_PARTS,
        bulletins=bulletins["bulletins"],
        appeals=appeals["appeals"],
        waiting=waiting,
        offered=offered,
        forms=shown,
        # a refused form the page does not offer (not the viewer's, or no longer open): its refusal on top
        refused=[
            why
            for name, form in sent.items()
            if name not in on_page
            for why in [form["message"], *form["errors"].values()]
            if why
        ],
        fields={
            "adjust": forms.ADJUST_FIELDS,
            "publish": forms.PUBLISH_FIELDS,
            "appeal": forms.appeal_fields(periods),
            "decide": forms.DECIDE_FIELDS,
        },
        crumbs=await unit_crumbs(request, actor, path),
        page_path=f"/assessment/units/{path}",
    )


async def sent_form(
    request: Request,
    actor: Actor,
    model: type[Command],
    body: dict[str, Any],
    *,
    form: dict[str, Any],
    fields: tuple[FormField, ...],
) -> str | None:
    """Send a filled form's command; its reply's position (possibly empty) once accepted, else None with
    the refusal in ``form``."""
    shown = [field.name for field in fields]
    words = Words(lang_of(request))
    reply = await send_form(sanji_of(request), actor, model, body, form=form, shown=shown, words=words)
    return None if reply is None else reply.position or ""


async def read_form(request: Request) -> tuple[dict[str, str], dict[str, Any]]:
    values = parse_form(await read_body(request, MAX_FORM_BYTES))
    return values, new_form(values.get("form_id") or new_command_id(), values)


def to_page(request: Request, path: str, position: str, **params: str) -> RedirectResponse:
    """After a form: the page, waiting (bounded) until it shows what was just written."""
    written = {"after": position} if position else {}
    return RedirectResponse(link(path, lang_of(request), **params, **written), status_code=303)


@router.post("/assessment/units/{unitpath}/adjust")
async def adjust_score(unitpath: str, request: Request, actor: PageActor) -> Response:
    """调整得分: points on or off the unit's own score for the page's period, with the reason."""
    before = await unit_score(request, actor, unitpath)  # in scope, and the period the page shows
    path, period = before["path"], before["period"]["label"]
    values, form = await read_form(request)
    body = forms.adjust_body(path, period, values)
    position = await sent_form(request, actor, AdjustScore, body, form=form, fields=forms.ADJUST_FIELDS)
    if position is None:
        return await render_unit(request, actor, path, {"adjust": form}, form["status"])
    await rescored(sanji_of(request), path, period, before["score"], position)
    return to_page(request, f"/assessment/units/{path}", position, period=period)


@router.post("/assessment/units/{unitpath}/bulletins")
async def publish_bulletin(unitpath: str, request: Request, actor: PageActor) -> Response:
    """发布通报: freeze and rank the chosen period's scores of the unit's subtree, then the bulletin."""
    path = checked_path(unitpath, actor)
    values, form = await read_form(request)
    body = forms.publish_body(path, values)
    position = await sent_form(request, actor, PublishBulletin, body, form=form, fields=forms.PUBLISH_FIELDS)
    if position is None:
        return await render_unit(request, actor, path, {"publish": form}, form["status"])
    return to_page(request, f"/assessment/bulletins/{path}/{body['period']}", position)


@router.post("/assessment/units/{unitpath}/appeals")
async def file_appeal(unitpath: str, request: Request, actor: PageActor) -> Response:
    """申诉: the unit contests its score in a bulletin that ranks it, within the bulletin's window."""
    path = checked_path(unitpath, actor)
    values, form = await read_form(request)
    body = forms.appeal_body(path, form["id"], values)
    fields = forms.appeal_fields(())
    position = await sent_form(request, actor, FileAppeal, body, form=form, fields=fields)
    if position is None:
        return await render_unit(request, actor, path, {"appeal": form}, form["status"])
    return to_page(request, f"/assessment/units/{path}", position, **period_of(request))


@router.post("/assessment/units/{unitpath}/appeals/{appeal_id}/decide")
async def decide_appeal(unitpath: str, appeal_id: str, request: Request, actor: PageActor) -> Response:
    """Decide an appeal filed in the unit's subtree, as the level that published the bulletin."""
    path = checked_path(unitpath, actor)
    listed = (await unit_appeals(request, actor, path))["appeals"]
    appeal = next((found for found in listed if found["appeal_id"] == appeal_id), None)
    if appeal is None or not is_within(str(appeal["bulletin_unit"]), actor.scope):
        raise unseen("appeal", appeal_id)
    values, form = await read_form(request)
    body = forms.decide_body(appeal, values)
    position = await sent_form(request, actor, DecideAppeal, body, form=form, fields=forms.DECIDE_FIELDS)
    if position is None:
        return await render_unit(request, actor, path, {f"decide-{appeal_id}": form}, form["status"])
    return to_page(request, f"/assessment/units/{path}", position, **period_of(request))


def period_of(request: Request) -> dict[str, str]:
    """The period the page showed (the form's action carries it), to come back to it."""
    return {name: str(value) for name, value in passed(request, "period").items()}


@router.get("/assessment/bulletins/{unitpath}/{period}")
async def bulletin_page(unitpath: str, period: str, request: Request, actor: PageActor) -> HTMLResponse:
    found = await visible_bulletin(request, actor, unitpath, period)
    deadline = found["appeal_deadline"]
    window_open = bool(deadline) and date.fromisoformat(deadline) >= local_date(utc_now())
    return render(
        request,
        "assessment_bulletin.html",
        actor,
        b=found,
        sections=sections(found["rows"]),
        publisher_in_scope=is_within(found["unit"], actor.scope),
        mine={row["unit"] for row in found["rows"] if is_within(row["unit"], actor.scope)},
        # while the window is open, each ranked unit of the viewer's links to its appeal form
        appeal_open=window_open
        and forms.may(actor, FileAppeal)
        and found["version"] == found["versions"][-1]["version"],
    )


@router.get("/assessment/bulletins/{unitpath}/{period}/download", response_model=None)
async def bulletin_download(
    unitpath: str, period: str, request: Request, actor: PageActor
) -> Response | dict[str, Any]:
    """The API's bulletin answer (``format=xlsx`` or json) for a person logged in with the cookie."""
    return await bulletin_answer(request, actor, unitpath, period)

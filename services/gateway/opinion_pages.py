"""Opinion (舆情) pages: a unit's statistics with its cases and the form to register an item, and one case
with its timeline, its deadlines in working days and a form for each step its state allows the viewer.
Every form sends its command as the session's actor and, once accepted, leads to the case page showing
the step (``after=<position>``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.commands import Actor
from contracts.envelope import utc_now
from contracts.opinion import ReportOpinion
from services.eventkit.client import new_command_id
from services.gateway.api import sanji_of
from services.gateway.auth import page_actor
from services.gateway.commands import read_body
from services.gateway.deadline_words import deadline_words
from services.gateway.errors import GatewayError
from services.gateway.form_fields import form_body
from services.gateway.forms import MAX_FORM_BYTES, new_form, parse_form, send_form
from services.gateway.labels import Words
from services.gateway.opinion_api import unit_cases, unit_stats, visible_case
from services.gateway.opinion_forms import REPORT_FIELDS, STEPS, offered_steps, step_body
from services.gateway.opinion_labels import OpinionWords
from services.gateway.pages import unit_crumbs, unit_names
from services.gateway.reads import checked_path, query
from services.gateway.views import Views, lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
TIMES = ("acknowledge", "first_response", "close")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    views: Views = request.app.state.views
    return views.render(request, template, status, o=OpinionWords(lang_of(request)), **context)


def to_case(request: Request, case_id: str, position: str | None) -> RedirectResponse:
    """After a form: the case page, waiting (bounded) until it shows what was just written."""
    written = {"after": position} if position else {}
    return RedirectResponse(link(f"/opinion/cases/{case_id}", lang_of(request), **written), status_code=303)


@router.get("/opinion/units/{unitpath}")
async def unit_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    return await render_unit(request, actor, unitpath, new_form(new_command_id()))


@router.post("/opinion/units/{unitpath}/cases")
async def report_case(unitpath: str, request: Request, actor: PageActor) -> Response:
    """The register-an-item form (监测登记): opinion.report at this unit, then the new case's page."""
    path = checked_path(unitpath, actor)
    values = parse_form(await read_body(request, MAX_FORM_BYTES))
    form = new_form(values.get("form_id") or new_command_id(), values)
    body = {"case_id": form["id"], "unit": path, **form_body(REPORT_FIELDS, values)}
    shown = [field.name for field in REPORT_FIELDS]
    reply = await send_form(
        sanji_of(request), actor, ReportOpinion, body, form=form, shown=shown, words=Words(lang_of(request))
    )
    if reply is None:
        return await render_unit(request, actor, path, form, status=form["status"])
    return to_case(request, form["id"], reply.position)


async def render_unit(
    request: Request, actor: Actor, unitpath: str, form: dict[str, Any], status: int = 200
) -> HTMLResponse:
    stats = await unit_stats(request, actor, unitpath)
    cases = await unit_cases(request, actor, unitpath)
    return render(
        request,
        "opinion_unit.html",
        status,
        actor=actor,
        unit=stats,
        cases=cases,
        times=TIMES,
        form=form,
        report_fields=REPORT_FIELDS,
        can_report=bool(actor.roles & ReportOpinion.allowed_roles),
        crumbs=await unit_crumbs(request, actor, stats["path"]),
        names=await unit_names(request, (case["assignee"] or case["desk"] for case in cases["cases"])),
        page_path=f"/opinion/units/{stats['path']}",
    )


@router.get("/opinion/cases/{case_id}")
async def case_page(case_id: str, request: Request, actor: PageActor) -> HTMLResponse:
    return await render_case(request, actor, case_id, {})


@router.post("/opinion/cases/{case_id}/{step}")
async def take_step(case_id: str, step: str, request: Request, actor: PageActor) -> Response:
    """One step of the loop by form: the step's command for this case, as the unit the step belongs to."""
    wanted = STEPS.get(step)
    if wanted is None:
        raise GatewayError("not_found", f"there is no opinion form {step}")
    case = await visible_case(request, actor, case_id)
    values = parse_form(await read_body(request, MAX_FORM_BYTES))
    form = new_form(values.get("form_id") or new_command_id(), values)
    body = step_body(wanted, case, actor, values)
    shown = [field.name for field in wanted.fields]
    words = Words(lang_of(request))
    reply = await send_form(sanji_of(request), actor, wanted.model, body, form=form, shown=shown, words=words)
    if reply is None:
        return await render_case(request, actor, case_id, {step: form}, status=form["status"])
    return to_case(request, case_id, reply.position)


async def unit_choices(request: Request, path: str, *, below_only: bool = False) -> list[dict[str, str]]:
    """The units a case can be owned by or dispatched to from ``path``: itself (unless ``below_only``, as
    for 转派) and the units below it."""
    found = await query(sanji_of(request), "projection.unit", {"path": path})
    itself = [] if below_only else [{"path": found["path"], "name": found["name"]}]
    return itself + [{"path": child["path"], "name": child["name"]} for child in found["children"]]


async def render_case(
    request: Request, actor: Actor, case_id: str, forms: dict[str, dict[str, Any]], status: int = 200
) -> HTMLResponse:
    case = await visible_case(request, actor, case_id)
    steps = offered_steps(case, actor)
    choices = {
        step.step: await unit_choices(
            request, str(step.acting_unit(case, actor)), below_only=step.units_below_only
        )
        for step in steps
        if any(field.kind == "unit" for field in step.fields)
    }
    # a form whose required unit has nothing to choose from (转派 with no unit below) is no form
    steps = [
        step
        for step in steps
        if all(choices[step.step] for field in step.fields if field.kind == "unit" and not field.optional)
    ]
    mentioned = [case.get(key) for key in ("reported_unit", "owning_unit", "desk", "supervisor", "assignee")]
    mentioned += [entry.get("unit") for entry in case["timeline"]]
    mentioned += [(entry.get("detail") or {}).get("to_unit") for entry in case["timeline"]]
    return render(
        request,
        "opinion_case.html",
        status,
        actor=actor,
        case=case,
        crumbs=await unit_crumbs(request, actor, case["desk"]),
        names=await unit_names(request, mentioned),
        deadlines=case_deadlines(case, utc_now(), lang_of(request)),
        steps=steps,
        forms={step.step: forms.get(step.step) or new_form(new_command_id()) for step in steps},
        # a refused step the page no longer offers (the case moved on): its refusal above the forms
        refused=[
            why
            for name, form in forms.items()
            if name not in {step.step for step in steps}
            for why in [form["message"], *form["errors"].values()]
            if why
        ],
        choices=choices,
        page_path=f"/opinion/cases/{case_id}",
    )


def case_deadlines(case: dict[str, Any], now: datetime, lang: str) -> list[dict[str, Any]]:
    """The case's running deadlines in order, each with its time left (or missed) in working days."""
    running = sorted((case.get("deadlines") or {}).items(), key=lambda item: item[1]["due_at"])
    return [
        {
            "kind": kind,
            "due_at": due["due_at"],
            "estimated": due.get("estimated", False),
            "left": deadline_words(due["due_at"], now, lang),
            "missed": datetime.fromisoformat(due["due_at"]) < now,
        }
        for kind, due in running
    ]

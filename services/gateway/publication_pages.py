"""Publication pages (三审三校): a unit's publications with their state and the stages signed, those
waiting for the viewer's review first, and the form to submit one; one publication with its history and
the form for the step its state allows the viewer (a review stage, the revision, publishing). Every form
sends its command as the session's actor and, once accepted, leads to the page showing the step
(``after=<position>``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.commands import Actor
from contracts.envelope import utc_now
from contracts.outreach import SubmitPublication
from services.eventkit.client import new_command_id
from services.eventkit.localtime import local_date
from services.gateway.api import sanji_of
from services.gateway.auth import page_actor
from services.gateway.commands import read_body
from services.gateway.errors import GatewayError
from services.gateway.forms import MAX_FORM_BYTES, new_form, parse_form, send_form
from services.gateway.labels import Words
from services.gateway.outreach_api import q
from services.gateway.outreach_pages import words_of
from services.gateway.pages import unit_crumbs, unit_names, views_of
from services.gateway.params import passed
from services.gateway.publication_forms import (
    STAGE_OF,
    STEPS,
    SUBMIT_FIELDS,
    authors,
    can_submit,
    offered_steps,
    publish_defaults,
    step_body,
    submit_body,
    usable_outlets,
    waiting_first,
)
from services.gateway.reads import checked_path, query, scoped_record
from services.gateway.views import lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
STAGES = ("first", "second", "third")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return views_of(request).render(request, template, status, o=words_of(request), stages=STAGES, **context)


def to_page(request: Request, path: str, position: str | None) -> RedirectResponse:
    """After a form: the page, waiting (bounded) until it shows what was just written."""
    written = {"after": position} if position else {}
    return RedirectResponse(link(path, lang_of(request), **written), status_code=303)


@router.get("/outreach/units/{unitpath}/publications")
async def unit_publications(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    return await render_unit(request, actor, unitpath, new_form(new_command_id()))


@router.post("/outreach/units/{unitpath}/publications")
async def submit(unitpath: str, request: Request, actor: PageActor) -> Response:
    """The submit form: outreach.submit_publication at this unit, then the new publication's page."""
    path = checked_path(unitpath, actor)
    values = parse_form(await read_body(request, MAX_FORM_BYTES))
    form = new_form(values.get("form_id") or new_command_id(), values)
    body = submit_body(form["id"], path, values)
    shown = [field.name for field in SUBMIT_FIELDS]
    words = Words(lang_of(request))
    reply = await send_form(
        sanji_of(request), actor, SubmitPublication, body, form=form, shown=shown, words=words
    )
    if reply is None:
        return await render_unit(request, actor, path, form, status=form["status"])
    return to_page(request, f"/outreach/publications/{form['id']}", reply.position)


async def render_unit(
    request: Request, actor: Actor, unitpath: str, form: dict[str, Any], status: int = 200
) -> HTMLResponse:
    path = checked_path(unitpath, actor)
    found = await query(
        sanji_of(request), q("publications"), {"path": path, "limit": 200, **passed(request, "after")}
    )
    unit = await query(sanji_of(request), "projection.unit", {"path": path})
    publications = waiting_first(found["publications"], actor)
    outlets = await outlet_choices(request, path) if can_submit(actor) else []
    return render(
        request,
        "outreach_publications.html",
        status,
        actor=actor,
        unit=unit,
        publications=publications,
        waiting=sum(1 for p in publications if p["mine"]),
        freshness=found["freshness"],
        form=form,
        submit_fields=SUBMIT_FIELDS,
        outlets=outlets,
        can_submit=can_submit(actor),
        crumbs=await unit_crumbs(request, actor, path),
        names=await unit_names(request, (p["unit"] for p in publications)),
        page_path=f"/outreach/units/{path}/publications",
    )


async def outlet_choices(request: Request, path: str) -> list[tuple[str, str]]:
    """The outlets a piece of ``path`` may be meant for, read from the city's whole outlet list (the
    units above may lie outside the viewer's scope; their outlets are on the unit's line all the same)."""
    city = path.split(".", 1)[0]
    found = await query(sanji_of(request), "projection.duty.outlets", {"path": city, "status": "active"})
    usable = usable_outlets(found["outlets"], path)
    names = await unit_names(request, (outlet["unit"] for outlet in usable))
    return [(outlet["outlet_id"], f"{outlet['name']}（{names[outlet['unit']]}）") for outlet in usable]


async def visible_publication(request: Request, actor: Actor, publication_id: str) -> dict[str, Any]:
    """The publication and its history; one outside the actor's subtree is the 404 of a missing one."""
    return await scoped_record(
        sanji_of(request),
        q("publication"),
        "publication",
        publication_id,
        actor,
        units=lambda found: [found["publication"]["unit"]],
        **passed(request, "after"),  # after a form: wait until the page shows the step just taken
    )


@router.get("/outreach/publications/{publication_id}")
async def publication_page(publication_id: str, request: Request, actor: PageActor) -> HTMLResponse:
    return await render_publication(request, actor, publication_id, {})


@router.post("/outreach/publications/{publication_id}/{step}")
async def take_step(publication_id: str, step: str, request: Request, actor: PageActor) -> Response:
    """One step by form, for the publication and unit on record (whatever the form says of them)."""
    wanted = STEPS.get(step)
    if wanted is None:
        raise GatewayError("not_found", f"there is no publication form {step}")
    found = await visible_publication(request, actor, publication_id)
    values = parse_form(await read_body(request, MAX_FORM_BYTES))
    form = new_form(values.get("form_id") or new_command_id(), values)
    body = step_body(wanted, found["publication"], values)
    shown = [field.name for field in wanted.fields]
    words = Words(lang_of(request))
    reply = await send_form(sanji_of(request), actor, wanted.model, body, form=form, shown=shown, words=words)
    if reply is None:
        return await render_publication(request, actor, publication_id, {step: form}, status=form["status"])
    return to_page(request, f"/outreach/publications/{publication_id}", reply.position)


async def render_publication(
    request: Request,
    actor: Actor,
    publication_id: str,
    forms: dict[str, dict[str, Any]],
    status: int = 200,
) -> HTMLResponse:
    found = await visible_publication(request, actor, publication_id)
    publication, history = found["publication"], found["history"]
    steps = offered_steps(publication, authors(publication, history), actor)
    today = publish_defaults(local_date(utc_now()))
    return render(
        request,
        "outreach_publication.html",
        status,
        actor=actor,
        pub=publication,
        history=history,
        freshness=found["freshness"],
        waiting_stage=STAGE_OF.get(publication["status"]),
        steps=steps,
        forms={step.step: forms.get(step.step) or new_form(new_command_id(), dict(today)) for step in steps},
        # a refused step the page no longer offers (another signed it, or the viewer may not): its
        # refusal above the forms, in the page's language
        refused=[
            why
            for name, form in forms.items()
            if name not in {step.step for step in steps}
            for why in [form["message"], *form["errors"].values()]
            if why
        ],
        crumbs=await unit_crumbs(request, actor, publication["unit"]),
        names=await unit_names(request, [publication["unit"]]),
        # the outlet by its name (and its unit's), as the submit form offered it; its id if since closed
        outlet=dict(await outlet_choices(request, publication["unit"])).get(publication["outlet_id"]),
        page_path=f"/outreach/publications/{publication_id}",
    )

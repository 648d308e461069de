"""The duty page of a unit (``/duty/units/<path>``): its figures, responsibility list, outlets, gaps and
rectifications, and a form for each duty command the viewer's roles allow, acting on this unit as the
session's actor. Once accepted, a form leads back to the page showing the new state (``after=``)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.commands import Actor
from contracts.units import is_within
from services.eventkit.client import new_command_id
from services.gateway.api import sanji_of
from services.gateway.auth import page_actor
from services.gateway.commands import read_body
from services.gateway.duty_evidence import (
    FORM_MARGIN,
    MultipartForm,
    UploadRefused,
    parse_multipart,
    planned_reference,
    store_evidence,
    upload_limit,
)
from services.gateway.duty_forms import (
    DRAWN_AS,
    FORMS,
    ORGANIZATION_FORMS,
    DutyForm,
    duty_body,
    missing_finding_fields,
    offered_forms,
)
from services.gateway.duty_labels import DutyWords
from services.gateway.duty_options import duty_options
from services.gateway.errors import GatewayError
from services.gateway.forms import MAX_FORM_BYTES, check_command, new_form, parse_lists, refusal, send_form
from services.gateway.labels import Words
from services.gateway.outreach_api import evidence_download
from services.gateway.pages import unit_crumbs, unit_names, views_of
from services.gateway.params import passed
from services.gateway.reads import checked_path, query
from services.gateway.views import lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]


async def read(
    request: Request, actor: Actor, name: str, unitpath: str, *names: str, **fixed: Any
) -> dict[str, Any]:
    """Projection query ``duty.<name>`` for a unit in the actor's scope: the ``fixed`` parameters and the
    request's parameters of those ``names``. (The JSON reads are the generic query routes.)"""
    params: dict[str, Any] = {"path": checked_path(unitpath, actor), **fixed, **passed(request, *names)}
    return await query(sanji_of(request), f"projection.duty.{name}", params)


@router.get("/duty/units/{unitpath}")
async def duty_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    """A unit's duty at a glance: counts, the responsibility list and outlets as of a date, gaps, rectifications."""
    return await render_duty(request, actor, unitpath, {})


@router.post("/duty/units/{unitpath}/{name}")
async def send_duty_form(unitpath: str, name: str, request: Request, actor: PageActor) -> Response:
    """One duty form: its command on this unit (in the actor's scope), as the session's actor."""
    wanted = FORMS.get(name)
    if wanted is None:
        raise GatewayError("not_found", f"there is no duty form {name}")
    path = checked_path(unitpath, actor)  # another county's unit: the 404 of a missing one
    if not wanted.offered_to(actor, path):
        raise GatewayError("forbidden", f"{wanted.command} needs one of the roles it allows")
    words = Words(lang_of(request))
    sent = await read_duty_form(request, wanted)
    form = new_form(sent.values.get("form_id") or new_command_id(), sent.values) | {"lists": sent.lists}
    upload, reference = sent.files.get("file"), None
    try:
        reference = planned_reference(upload) if upload is not None else None
    except UploadRefused as refused:
        form["errors"]["file"] = refusal(refused.code, refused.params, str(refused), words.lang)
    if sent.too_large:
        form["errors"]["file"] = refusal("file_too_large", {"limit": megabytes()}, "too large", words.lang)
    for missing in missing_finding_fields(sent.values):
        form["errors"][missing] = refusal("finding_incomplete", {}, "a finding needs all three", words.lang)
    organization = sent.values.get("organization", "")
    if name in ORGANIZATION_FORMS and organization and not is_within(organization, path):
        # only an organization of the page's subtree (the actor's scope): never one named by a forged field
        form["errors"]["organization"] = refusal("not_offered", {}, "not one of the choices", words.lang)
    if form["errors"]:
        return await render_duty(request, actor, path, {name: form}, status=413 if sent.too_large else 422)
    body = duty_body(
        wanted, path, form["id"], values=sent.values, lists=sent.lists, evidence_reference=reference
    )
    if upload is not None and not check_command(wanted.model, body, words):
        await store_evidence(request, actor, path, upload)  # kept once the rest of the form holds
    reply = await send_form(
        sanji_of(request),
        actor,
        wanted.model,
        body,
        form=form,
        shown=wanted.shown,
        words=words,
        drawn_as=DRAWN_AS.get(name),
    )
    if reply is None:
        return await render_duty(request, actor, path, {name: form}, status=form["status"])
    written = {"after": reply.position} if reply.position else {}
    return RedirectResponse(link(f"/duty/units/{path}", lang_of(request), **written), status_code=303)


@router.get("/duty/evidence/{sha256}")
async def evidence_file(sha256: str, request: Request, actor: PageActor) -> Response:
    """An evidence file from the page: granted to a unit in the viewer's subtree, else the 404."""
    return await evidence_download(request, actor, sha256)


def megabytes() -> str:
    return str(upload_limit() // (1024 * 1024))


async def read_duty_form(request: Request, wanted: DutyForm) -> MultipartForm:
    """The form as sent: urlencoded, or multipart for a form with a file (a body past the upload's bound
    is not read: the form comes back with the file refused)."""
    content_type = request.headers.get("content-type", "")
    uploads = any(field.kind == "file" for field in wanted.fields)
    limit = upload_limit() + FORM_MARGIN if uploads else MAX_FORM_BYTES
    try:
        raw = await read_body(request, limit)
    except GatewayError:
        if not uploads:
            raise
        return MultipartForm(too_large=True)
    if uploads and content_type.startswith("multipart/form-data"):
        return parse_multipart(content_type, raw)
    lists = parse_lists(raw)
    return MultipartForm({name: found[0] for name, found in lists.items()}, lists)


async def render_duty(
    request: Request, actor: Actor, unitpath: str, forms: dict[str, dict[str, Any]], status: int = 200
) -> HTMLResponse:
    summary, listed, gaps, rectifications, records = await asyncio.gather(
        read(request, actor, "unit", unitpath, "after"),
        read(request, actor, "responsibility_list", unitpath, "as_of", "after"),
        read(request, actor, "gaps", unitpath, "after"),
        read(request, actor, "rectifications", unitpath, "after"),
        read(request, actor, "records", unitpath, "as_of", "after"),
    )
    still_open = [x for x in rectifications["rectifications"] if x["state"] != "closed"]
    d = DutyWords(lang_of(request))
    offered = offered_forms(actor, summary["path"])
    options: dict[str, dict[str, list[tuple[str, str]]]] = {}
    if offered:
        posts, outlets, inspections = await asyncio.gather(
            read(request, actor, "posts", summary["path"], "after", subtree=True),
            read(request, actor, "outlets", summary["path"], "after"),
            read(request, actor, "inspections", summary["path"], "after"),
        )
        names = await unit_names(request, (post["unit"] for post in posts["posts"]))
        options = duty_options(
            summary["path"],
            posts=posts["posts"],
            outlets=outlets["outlets"],
            inspections=inspections["inspections"],
            rectifications=still_open,
            records=records,
            names=names,
            d=d,
        )
    return views_of(request).render(
        request,
        "duty_unit.html",
        status,
        actor=actor,
        s=summary,
        r=listed,
        gaps=gaps["gaps"],
        rectifications=still_open,
        records=records,
        d=d,
        crumbs=await unit_crumbs(request, actor, summary["path"]),
        offered=offered,
        forms={form.name: forms.get(form.name) or new_form(new_command_id()) for form in offered},
        options=options,
        page_path=f"/duty/units/{summary['path']}",
    )

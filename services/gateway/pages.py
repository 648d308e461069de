"""The web pages: login, the top units, a unit page with its counts and the log-activity form."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.commands import Actor
from contracts.outreach import ActivityKind, LogActivity
from contracts.units import is_within
from services.eventkit.client import new_command_id
from services.gateway.api import sanji_of
from services.gateway.attention import unit_attention
from services.gateway.auth import TOKEN_COOKIE, authority_of, page_actor
from services.gateway.catalog import Messages
from services.gateway.commands import read_body
from services.gateway.forms import FORM_FIELDS, MAX_FORM_BYTES, activity_body, new_form, parse_form, send_form
from services.gateway.labels import Words
from services.gateway.params import passed
from services.gateway.reads import breadcrumb, checked_path, top_units, unit_detail, unit_trend
from services.gateway.views import Views, lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
COOKIE_SECONDS = 12 * 3600


def views_of(request: Request) -> Views:
    views: Views = request.app.state.views
    return views


async def unit_crumbs(request: Request, actor: Actor, path: str) -> list[dict[str, Any]]:
    """The units above ``path`` up to the city, by name; linked only where the actor may look."""
    found = await breadcrumb(sanji_of(request), path)
    return [{**crumb, "linked": is_within(crumb["path"], actor.scope)} for crumb in found]


async def unit_names(request: Request, paths: Iterable[str | None]) -> dict[str, str]:
    """Unit path → name for the units a page mentions (cases, timelines), so it shows names, not codes."""
    wanted = sorted({path for path in paths if path})
    sanji = sanji_of(request)

    async def name_of(path: str) -> str:
        answer = await sanji.query("projection.unit", {"path": path})
        return str(answer["result"]["name"]) if answer.get("ok") else path

    return dict(zip(wanted, await asyncio.gather(*(name_of(path) for path in wanted)), strict=True))


def safe_next(target: str | None) -> str:
    """Only local paths: never send a person to another site after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
async def login_form(request: Request) -> HTMLResponse:
    return views_of(request).render(
        request, "login.html", next=safe_next(request.query_params.get("next")), failed=False
    )


@router.post("/login")
async def login(request: Request) -> Response:
    form = parse_form(await read_body(request, MAX_FORM_BYTES))
    target = safe_next(form.get("next"))
    token = form.get("token", "")
    if await authority_of(request).actor_for(token) is None:
        return views_of(request).render(
            request, "login.html", 401, next=target, failed=True, page_path="/login"
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="lax",  # a form on another site cannot post with this cookie
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    response = RedirectResponse(link("/login", lang_of(request)), status_code=303)
    response.delete_cookie(TOKEN_COOKIE, httponly=True, samesite="lax")
    return response


@router.get("/")
async def home(request: Request, actor: PageActor) -> HTMLResponse:
    found = await top_units(sanji_of(request), actor)
    return views_of(request).render(
        request, "home.html", actor=actor, units=found["units"], freshness=found["freshness"]
    )


@router.get("/units/{unitpath}")
async def unit_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    form = new_form(new_command_id())
    return await _render_unit(
        request, actor, unitpath, form, logged=request.query_params.get("logged") == "1"
    )


@router.post("/units/{unitpath}/activities")
async def log_activity(unitpath: str, request: Request, actor: PageActor) -> Response:
    """The form handler: check the form, forward outreach.log_activity, show what went wrong inline."""
    path = checked_path(unitpath, actor)
    values = parse_form(await read_body(request, MAX_FORM_BYTES))
    form = new_form(values.get("form_id") or new_command_id(), values)
    body = activity_body(values, path, form["id"])
    words = Words(lang_of(request))
    reply = await send_form(
        sanji_of(request), actor, LogActivity, body, form=form, shown=FORM_FIELDS, words=words
    )
    if reply is None:
        return await _render_unit(request, actor, path, form, status=form["status"])
    # The page it leads to waits (bounded) until the unit's counts show this activity.
    written = {"after": reply.position} if reply.position else {}
    return RedirectResponse(link(f"/units/{path}", lang_of(request), logged="1", **written), status_code=303)


async def _render_unit(
    request: Request,
    actor: Actor,
    path: str,
    form: dict[str, Any],
    *,
    status: int = 200,
    logged: bool = False,
) -> HTMLResponse:
    sanji = sanji_of(request)
    unit = await unit_detail(sanji, actor, path, **passed(request, "after"))  # after: the form's write
    crumbs = await unit_crumbs(request, actor, path)
    kinds = [
        {
            "kind": kind.value,
            "own": unit["own"]["by_kind"].get(kind.value, {"activities": 0, "audience": 0}),
            "subtree": unit["subtree"]["by_kind"].get(kind.value, {"activities": 0, "audience": 0}),
        }
        for kind in ActivityKind
    ]
    lang = lang_of(request)
    return views_of(request).render(
        request,
        "unit.html",
        status,
        actor=actor,
        unit=unit,
        crumbs=crumbs,
        kinds=kinds,
        trend=await unit_trend(sanji, path),
        attention=await unit_attention(sanji, path, lang, **passed(request, "after")),
        w=Messages(lang, "attention."),
        o=Messages(lang, "opinion."),
        p=Messages(lang, "outreach."),
        form=form,
        can_log=bool(actor.roles & LogActivity.allowed_roles),
        logged=logged,
        page_path=f"/units/{path}",
    )

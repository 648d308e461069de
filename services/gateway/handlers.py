"""Every error becomes JSON (under /api) or a friendly page — never a traceback — and every request is
timed into ``sanji_http_request_seconds`` under its route template."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.commands import FieldError
from services.eventkit import metrics
from services.eventkit.errors import REASONS, internal_error
from services.gateway.auth import LoginRequiredError
from services.gateway.errors import CODE_BY_STATUS, GatewayError, error_response
from services.gateway.labels import Words
from services.gateway.views import Views, lang_of

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
log = logging.getLogger(__name__)


def _respond(request: Request, error: GatewayError) -> Response:
    if 400 <= error.status < 500 and error.status not in (401, 404):
        # Refused at the door, before any service saw it: the log is where an operator finds it (a
        # service records its own refusals in its rejections table).
        route = getattr(request.scope.get("route"), "path", None) or "unmatched"
        log.warning(
            "request refused",
            extra={
                "route": route,
                "status": error.status,
                "code": error.code,
                "reason": error.message,
                "fields": [field.model_dump() for field in error.fields],
            },
        )
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return error_response(error, headers)
    views: Views = request.app.state.views
    words = Words(lang_of(request))
    return views.render(
        request,
        "error.html",
        error.status,
        heading=words.status(error.status),
        message=words.explain(error.code, error.message),
        fields=[
            found.field.removeprefix("query.") for found in error.fields if found.field.startswith("query.")
        ],
    )


def install_error_handlers(app: FastAPI) -> None:
    async def on_gateway_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, GatewayError)
        return _respond(request, error)

    async def on_login_required(_request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequiredError)
        return RedirectResponse(error.login_url, status_code=303)

    async def on_validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        fields = [
            FieldError(
                field=".".join(str(part) for part in item["loc"]),
                reason=REASONS.get(item["type"], item["msg"]),
            )
            for item in error.errors()
        ]
        return _respond(request, GatewayError("invalid", "the request is not valid", fields))

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        code = CODE_BY_STATUS.get(error.status_code, "invalid" if error.status_code < 500 else "internal")
        return _respond(request, GatewayError(code, str(error.detail), status=error.status_code))

    app.add_exception_handler(GatewayError, on_gateway_error)
    app.add_exception_handler(LoginRequiredError, on_login_required)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)


class ErrorBoundary:
    """ASGI middleware, the gateway's one boundary for the unexpected: the error is logged with an id and
    answered as a 500 naming the id. Unlike an ``Exception`` handler (which Starlette re-raises after
    answering, so the server drops the keep-alive connection) nothing is raised further."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent: set[str] = set()

        async def send_tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent.add("start")
            elif not message.get("more_body", False):
                sent.add("end")
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            body = internal_error("the request could not be completed", path=scope.get("path", ""))
            if "start" in sent:  # part of an answer is out: end it if it is not ended yet
                if "end" not in sent:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            response = _respond(Request(scope, receive), GatewayError(body.code, body.message))
            await response(scope, receive, send)


class HttpMetrics:
    """ASGI middleware: latency by method, route template (never the raw path) and status."""

    def __init__(self, app: ASGIApp, service: str = "gateway") -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_timed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_timed)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            metrics.http_seconds.labels(self.service, method, route, str(status)).observe(
                time.perf_counter() - started
            )

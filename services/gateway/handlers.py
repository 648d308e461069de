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
from services.eventkit.errors import REASONS
from services.gateway.auth import LoginRequiredError
from services.gateway.errors import CODE_BY_STATUS, GatewayError, error_response
from services.gateway.labels import Words
from services.gateway.views import Views, lang_of

log = logging.getLogger(__name__)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _respond(request: Request, error: GatewayError) -> Response:
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return error_response(error, headers)
    views: Views = request.app.state.views
    words = Words(lang_of(request))
    return views.render(
        request, "error.html", error.status, heading=words.status(error.status), message=error.message
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

    async def on_anything(request: Request, error: Exception) -> Response:
        log.error("request failed", exc_info=error, extra={"path": request.url.path})
        return _respond(request, GatewayError("internal", "the request could not be completed"))

    app.add_exception_handler(GatewayError, on_gateway_error)
    app.add_exception_handler(LoginRequiredError, on_login_required)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)


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

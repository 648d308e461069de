"""Gateway composition root: the FastAPI app (API, pages, ops routes) and its runtime — one NATS
connection and a small PostgreSQL pool (tokens, evidence grants) opened at start, closed at stop. No I/O
at import or in create_app."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Depends, FastAPI
from nats.aio.client import Client as NatsClient

from contracts.asyncapi import package_version
from services.eventkit.aio import serve_until_signalled
from services.eventkit.busconnect import connect
from services.eventkit.client import SanjiClient
from services.eventkit.ops_http import HttpServer, ReadinessCheck, add_ops_routes
from services.eventkit.settings import ServiceSettings
from services.gateway import (
    api,
    assessment_api,
    assessment_pages,
    duty_pages,
    list_routes,
    opinion_api,
    opinion_pages,
    outreach_api,
    outreach_pages,
    pages,
    publication_pages,
    query_routes,
    submission_pages,
    summary_api,
    summary_pages,
)
from services.gateway.auth import TokenAuthority
from services.gateway.evidence import EvidenceGrants
from services.gateway.handlers import ErrorBoundary, HttpMetrics, install_error_handlers
from services.gateway.openapi import API_ERRORS, GatewayApp, openapi_json
from services.gateway.params import readable_path
from services.gateway.settings import GatewaySettings
from services.gateway.tokens import TokenStore
from services.gateway.tokens_file import import_tokens_file
from services.gateway.views import Views, static_file

log = logging.getLogger(__name__)


def build_app(readiness: ReadinessCheck) -> FastAPI:
    """The HTTP app; ``app.state.authority``, ``evidence`` and ``sanji`` are set by the runtime at start."""
    app = GatewayApp(
        title="Sanji gateway",
        version=package_version(),
        description="The HTTP front door of Sanji (三级): commands forwarded to the owning service, reads "
        "of the city–county–township views, each cut to the bearer token's subtree. Every error answer "
        "is the ApiError body. See docs/contracts.md.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(readable_path)],
    )
    app.state.views = Views()
    app.state.authority = TokenAuthority(None)
    app.state.evidence = None
    app.state.sanji = None
    api_routers: list[APIRouter] = [
        api.router,
        query_routes.router,
        outreach_api.router,
        opinion_api.router,
        assessment_api.router,
        summary_api.router,
    ]
    for router in api_routers:
        app.include_router(router, responses=API_ERRORS)
    for router in (
        pages.router,
        list_routes.router,
        outreach_pages.router,
        publication_pages.router,
        submission_pages.router,
        opinion_pages.router,
        duty_pages.router,
        assessment_pages.router,
        summary_pages.router,
    ):
        app.include_router(router)
    app.add_api_route("/openapi.json", openapi_json, include_in_schema=False)
    app.add_api_route("/static/{name}", static_file, include_in_schema=False)
    add_ops_routes(app, readiness)
    install_error_handlers(app)
    app.add_middleware(ErrorBoundary)
    app.add_middleware(HttpMetrics)  # outside the boundary: it times the 500 the boundary answers
    return app


class GatewayRuntime:
    """Runs the gateway: start() connects and serves, stop() closes, like the services' ServiceRuntime."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.app = build_app(self.readiness)
        self.nc: NatsClient | None = None
        self.tokens: TokenStore | None = None
        self.http_port: int | None = None
        self._http: HttpServer | None = None

    async def start(self) -> None:
        s = self.settings
        self.tokens = await TokenStore.open(s.database_url)
        if s.tokens_file is not None:
            await import_tokens_file(self.tokens, s.tokens_file)
        self.app.state.authority = TokenAuthority(self.tokens)
        self.app.state.evidence = EvidenceGrants(self.tokens.pool)
        self.nc = await connect(
            s.nats_url, "sanji-gateway", inbox=s.nats_inbox_prefix, max_reconnect_attempts=-1
        )
        self.app.state.sanji = SanjiClient(self.nc)
        self._http = HttpServer(self.app, s.http_host, s.http_port)
        self.http_port = await self._http.start()
        log.info("gateway started", extra={"service": "gateway", "http_port": self.http_port})

    async def readiness(self) -> dict[str, bool]:
        """NATS connected, and the tokens' database answering (no token can be checked without it)."""
        try:
            database = self.tokens is not None and await asyncio.wait_for(
                self.tokens.pool.fetchval("SELECT true"), 2
            )
        except Exception:  # any failure means not ready, which is the answer
            database = False
        return {"database": database is True, "nats": self.nc is not None and self.nc.is_connected}

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.stop()
        self.app.state.sanji = None
        if self.nc is not None:
            await self.nc.drain()
        if self.tokens is not None:
            await self.tokens.close()

    async def serve_until_signalled(self) -> None:
        """Run until SIGINT or SIGTERM, then stop cleanly."""
        await serve_until_signalled(self.start, self.stop)


def create_app(settings: ServiceSettings | None = None) -> GatewayRuntime:
    """The gateway runtime; plain ServiceSettings (as the test stack passes) become GatewaySettings."""
    if settings is None:
        settings = GatewaySettings()
    elif not isinstance(settings, GatewaySettings):
        settings = GatewaySettings(**settings.model_dump())
    return GatewayRuntime(settings)

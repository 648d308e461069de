"""The operator's HTTP surface of every service: /metrics, /healthz, /readyz — served by uvicorn
inside the service's own event loop (signals stay with the service, not with uvicorn)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator

import uvicorn
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


def add_ops_routes(app: FastAPI, readiness: ReadinessCheck) -> None:
    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(response: Response) -> dict[str, object]:
        checks = await readiness()
        ready = all(checks.values())
        response.status_code = 200 if ready else 503
        return {"ready": ready, "checks": checks}


def ops_app(readiness: ReadinessCheck) -> FastAPI:
    app = FastAPI(title="sanji ops", docs_url=None, redoc_url=None, openapi_url=None)
    add_ops_routes(app, readiness)
    return app


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # the service owns SIGINT/SIGTERM
        yield


class HttpServer:
    """A uvicorn server run as a task; ``port`` is known once ``started`` is set."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
        self.server = _EmbeddedServer(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> int:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()  # re-raise the bind error
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.02)
        return int(self.server.servers[0].sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.task, 10)

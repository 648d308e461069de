"""Running services in-process against the real servers of a test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from contracts.commands import Actor, Role
from services import registry
from services.eventkit.busconnect import connect
from services.eventkit.client import SanjiClient
from services.eventkit.runtime import ServiceRuntime
from services.eventkit.settings import ServiceSettings

CITY_ADMIN = Actor(id="admin@3205", scope="3205", roles=frozenset({Role.ADMIN, Role.CLERK}))


def build(name: str, service_settings: ServiceSettings, **options: Any) -> ServiceRuntime:
    """A registered service's runtime (not started)."""
    runtime: ServiceRuntime = registry.service(name).create_app(service_settings, **options)
    return runtime


def settings(nats_url: str, database_url: str) -> ServiceSettings:
    return ServiceSettings(nats_url=nats_url, database_url=database_url, http_port=0, pool_size=5)


@asynccontextmanager
async def running(
    nats_url: str | Callable[[str], str], database_url: str, *names: str, **options: Any
) -> AsyncIterator[list[ServiceRuntime]]:
    """Start the named services; ``nats_url`` may map each name to its own URL (``NatsServer.url_for``)."""
    url_of = nats_url if callable(nats_url) else (lambda _name: nats_url)
    runtimes = [build(name, settings(url_of(name), database_url), **options) for name in names]
    started: list[ServiceRuntime] = []
    try:
        for runtime in runtimes:
            await runtime.start()
            started.append(runtime)
        yield runtimes
    finally:
        for runtime in reversed(started):
            await runtime.stop()


@asynccontextmanager
async def client(nats_url: str) -> AsyncIterator[SanjiClient]:
    nc = await connect(nats_url, "sanji-test")
    try:
        yield SanjiClient(nc)
    finally:
        await nc.close()

"""ServiceRuntime: runs one service definition — migrations, streams, command, ingest and query
responders on the service's one NATS connection, relay, reaction consumers, projectors and the ops HTTP
server — and stops it cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import asyncpg
from nats.aio.client import Client as NatsClient
from nats.errors import ConnectionClosedError, ConnectionReconnectingError
from nats.js import JetStreamContext

from contracts.commands import Command
from contracts.envelope import utc_now
from contracts.subjects import command_subject, ingest_filter, query_subject
from services.eventkit.aio import serve_until_signalled
from services.eventkit.busconnect import connect, inbox_prefix_for
from services.eventkit.commanding import CommandBus, Handler
from services.eventkit.consumer import Reaction, ReactionConsumer
from services.eventkit.db import create_pool
from services.eventkit.deciding import DecidingReaction
from services.eventkit.faults import FaultHook, no_faults
from services.eventkit.ingest import ingest_responder
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.ops_http import HttpServer, ops_app
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.projector import Projector, ProjectorRunner
from services.eventkit.queries import QueryError, QuerySpec, query_responder
from services.eventkit.relay import Relay
from services.eventkit.responders import Respond, Responders
from services.eventkit.settings import ServiceSettings
from services.eventkit.streams import ensure_sanji_streams
from services.eventkit.timers import TimerHandler, TimerRunner

log = logging.getLogger(__name__)
__all__ = ["QueryError", "ServiceDefinition", "ServiceRuntime"]  # QueryError: where handlers found it


@dataclass
class ServiceDefinition:
    name: str
    schema: str
    migrations_package: str | None = None
    commands: dict[type[Command], Handler] = field(default_factory=dict)
    reactions: list[Reaction] = field(default_factory=list)
    # reactions that append events of their own (eventkit/deciding.py)
    deciding: list[DecidingReaction] = field(default_factory=list)
    projectors: list[Projector] = field(default_factory=list)
    queries: list[QuerySpec] = field(default_factory=list)
    timers: dict[str, TimerHandler] = field(default_factory=dict)  # timer kind → what firing it decides
    # kind → the command that serves sanji.ingest.<name>.<kind>.<system>.<unit tokens> (eventkit/ingest.py)
    ingest: dict[str, type[Command]] = field(default_factory=dict)
    # background loops of the service's own (assessment's rescorer), built once the store exists
    workers: list[Callable[[ServiceRuntime], Worker]] = field(default_factory=list)
    # one-off repairs run on every start once the store exists, before timers and workers: idempotent
    # back-fills of what an older version left out (duty's report timers of offices registered before)
    on_start: list[Callable[[ServiceRuntime], Awaitable[None]]] = field(default_factory=list)


def projector_worker(service: str) -> str:
    """The name a service's projector runner counts failures and parks items under."""
    return f"{service}-projector"


class Worker(Protocol):
    async def run(self, stop: asyncio.Event) -> None: ...


class ServiceRuntime:
    def __init__(
        self,
        definition: ServiceDefinition,
        settings: ServiceSettings,
        *,
        fault: FaultHook = no_faults,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.definition, self.settings, self.fault, self.clock = definition, settings, fault, clock
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.http_port: int | None = None
        self.pool: asyncpg.Pool
        self.nc: NatsClient
        self.js: JetStreamContext
        self.store: PostgresEventStore
        self.bus: CommandBus
        self.responders: Responders
        self.relay: Relay | None = None
        self.timer_runner: TimerRunner | None = None
        self.projector_runner: ProjectorRunner | None = None
        self.workers: list[Worker] = []
        self._http: HttpServer | None = None

    async def start(self) -> None:
        d, s = self.definition, self.settings
        self.pool = await create_pool(s.database_url, max_size=s.pool_size)
        async with self.pool.acquire() as conn:
            await migrate(conn, d.schema, service_migrations(d.migrations_package))
        inbox = inbox_prefix_for(s.nats_url, s.nats_inbox_prefix)
        self.nc = await connect(s.nats_url, f"sanji-{d.name}", inbox=inbox, max_reconnect_attempts=-1)
        self.js = self.nc.jetstream()
        await ensure_sanji_streams(self.js)
        self.store = PostgresEventStore(self.pool, d.schema, origin=f"{s.city}/{d.name}")
        self.bus = CommandBus(d.name, self.store, d.commands, self.clock, self.fault)
        for repair in d.on_start:
            await repair(self)
        await self._serve_requests()
        if d.commands:
            self.relay = Relay(self.store, self.js, d.name, fault=self.fault)
            self._spawn(self.relay.run(self.stop_event))
        for reaction in d.reactions:
            self._spawn(
                ReactionConsumer(self.js, self.pool, d.schema, reaction, fault=self.fault).run(
                    self.stop_event
                )
            )
        for deciding in d.deciding:
            reaction = deciding.bind(d.name, self.store, s.city, self.clock)
            consumer = ReactionConsumer(
                self.js, self.pool, d.schema, reaction, fault=self.fault, store=self.store
            )
            self._spawn(consumer.run(self.stop_event))
        if d.timers:
            self.timer_runner = TimerRunner(d.name, self.store, d.timers, clock=self.clock, scope=s.city)
            self._spawn(self.timer_runner.run(self.stop_event))
        for build in d.workers:
            worker = build(self)
            self.workers.append(worker)
            self._spawn(worker.run(self.stop_event))
        if d.projectors:  # one runner for every view: each event fetched and decoded once
            self.projector_runner = ProjectorRunner(
                self.js, self.pool, d.schema, d.projectors, fault=self.fault, worker=projector_worker(d.name)
            )
            self._spawn(self.projector_runner.run(self.stop_event))
        self._http = HttpServer(ops_app(self.readiness), s.http_host, s.http_port)
        self.http_port = await self._http.start()
        log.info("service started", extra={"service": d.name, "http_port": self.http_port})

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.create_task(coroutine))

    async def _serve_requests(self) -> None:
        """Commands, ingest requests and queries, all on the one connection (responders.py)."""
        queue = f"sanji-{self.definition.name}"
        # Commands run concurrently (each in its own transaction; optimistic concurrency and command
        # ids keep that safe): one at a time, a slow request would queue every other clerk behind it.
        self.responders = Responders(self.nc, workers=max(1, self.settings.pool_size - 2))
        for name in self.bus.command_names:
            await self.responders.serve(command_subject(name), queue, self._command_responder(name))
        for kind, model in self.definition.ingest.items():
            respond = ingest_responder(self.bus, kind, model)
            await self.responders.serve(ingest_filter(self.definition.name, kind), queue, respond)
        for spec in self.definition.queries:
            subject = query_subject(f"{self.definition.name}.{spec.name}")
            await self.responders.serve(
                subject, queue, query_responder(self.pool, self.definition.schema, spec)
            )

    def _command_responder(self, name: str) -> Respond:
        async def respond(raw: bytes, _subject: str) -> bytes:
            reply = await self.bus.dispatch(name, raw)
            return reply.model_dump_json().encode()

        return respond

    async def readiness(self) -> dict[str, bool]:
        try:
            database = await asyncio.wait_for(self.pool.fetchval("SELECT true"), 2) is True
        except Exception:
            database = False
        tasks_alive = all(not task.done() for task in self.tasks)
        return {"database": database, "nats": self.nc.is_connected, "workers": tasks_alive}

    async def stop(self) -> None:
        self.stop_event.set()
        if self._http is not None:
            await self._http.stop()
        await self.responders.stop()
        if self.tasks:
            _, pending = await asyncio.wait(self.tasks, timeout=10)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        # The server may have closed the connection (a rotated password), or it may be moving to another
        # cluster node: there is nothing to drain then.
        with contextlib.suppress(ConnectionClosedError, ConnectionReconnectingError):
            if self.nc.is_connected:
                await self.nc.drain()
            else:
                await self.nc.close()
        await self.pool.close()

    async def serve_until_signalled(self) -> None:
        """Run until SIGINT or SIGTERM, then stop cleanly."""
        await serve_until_signalled(self.start, self.stop)

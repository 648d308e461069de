"""The write side every service shares: validate, authorize, load-decide-append, reply.

A command arrives as bytes on ``sanji.cmd.<context>.<name>`` and passes the door of contracts.inputs
once (strict types, text and date rules). Nothing is stored unless every check passes; a refusal is
recorded in the service's ``rejections`` table and logged, and the reply names the field and the
reason. The reply is stored with its events under (actor, command id), so a retried request gets the
same reply and appends nothing (see idempotency.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from contracts.commands import (
    MAX_COMMAND_BYTES,
    Actor,
    Command,
    CommandReply,
    CommandRequest,
    ErrorBody,
    FieldError,
    not_known,
)
from contracts.envelope import EventEnvelope, dataschema_for, new_event_id, utc_now
from contracts.inputs import Door, InputError, read_json, validate_input
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.eventkit import metrics
from services.eventkit.db import Conn
from services.eventkit.errors import DomainError, field_errors, internal_error
from services.eventkit.faults import FaultHook, no_faults
from services.eventkit.groupcommit import Applied, GroupCommitter
from services.eventkit.idempotency import RequestKey, remember
from services.eventkit.logs import correlation
from services.eventkit.pgstore import PostgresEventStore
from services.eventkit.positions import Position
from services.eventkit.store import AppendResult, StoredEvent, check_append

log = logging.getLogger(__name__)
KEY_REUSED = (
    "this idempotency key was already used by you for a different request;"
    " use a new key for a new request, or resend the same request to get its reply"
)


@dataclass(frozen=True)
class Decision:
    """What a handler decided: these events, appended to this stream after that version."""

    stream_id: str
    expected_version: int
    unitpath: str
    events: Sequence[DomainEvent]


@dataclass(frozen=True)
class Outcome:
    """Decisions plus a result the reply carries back (e.g. a bulk import's per-row report)."""

    decisions: Sequence[Decision]
    result: dict[str, Any]


@dataclass(frozen=True)
class CommandContext:
    conn: Conn  # inside the command's transaction
    store: PostgresEventStore
    actor: Actor
    now: datetime
    # each stream's last event as loaded in this transaction (None: loaded empty): the append checks it
    heads: dict[str, StoredEvent | None] = field(default_factory=dict)
    # streams the group read for this command in its first statement; a load takes each one once
    preloaded: dict[str, list[StoredEvent]] = field(default_factory=dict)


Decided = Decision | Sequence[Decision] | Outcome | None
Handler = Callable[[CommandContext, Any], Awaitable[Decided]]
Handlers = dict[type[Command], Handler]


@dataclass(frozen=True)
class Preloading:
    """A handler that says which streams a command will load, so its group reads them in its first
    statement (aggregates.loads builds one); any other handler loads its streams itself."""

    handler: Handler
    streams: Callable[[Any], Sequence[str]]

    async def __call__(self, ctx: CommandContext, command: Any) -> Decided:
        return await self.handler(ctx, command)


class CommandBus:
    def __init__(
        self,
        service: str,
        store: PostgresEventStore,
        handlers: dict[type[Command], Handler],
        clock: Callable[[], datetime] = utc_now,
        fault: FaultHook = no_faults,
    ) -> None:
        self.service, self.store, self.clock = service, store, clock
        self.handlers = {model.command_name: (model, handler) for model, handler in handlers.items()}
        self.groups = GroupCommitter(
            store,
            explain=explain_failure,
            key_reused=lambda: refuse("invalid", KEY_REUSED, "commandid"),
            gave_up=lambda: refuse(
                "conflict", "the record kept changing while this command ran; please try again"
            ),
            fault=fault,
        )

    @property
    def command_names(self) -> list[str]:
        return sorted(self.handlers)

    async def dispatch(self, name: str, raw: bytes, *, sender: Actor | None = None) -> CommandReply:
        """Answer one request; ``sender`` is the actor its credential proved (an ingesting system), which
        replaces whatever actor the request names."""
        started = time.perf_counter()
        reply, actor = await self._dispatch(name, raw, sender)
        outcome = "ok" if reply.ok else (reply.error.code if reply.error else "error")
        metrics.commands.labels(self.service, name, outcome).inc()
        metrics.command_seconds.labels(self.service, name).observe(time.perf_counter() - started)
        if reply.error is not None:
            await self._record_rejection(name, actor, reply.error)
        return reply

    async def _dispatch(self, name: str, raw: bytes, sender: Actor | None) -> tuple[CommandReply, str | None]:
        limit = self.handlers[name][0].max_bytes if name in self.handlers else MAX_COMMAND_BYTES
        if len(raw) > limit:
            return refuse("invalid", f"command is {len(raw)} bytes, at most {limit}", "body"), None
        now = self.clock()
        try:
            data = read_json(raw, "")
            if sender is not None and isinstance(data, dict):
                data["actor"] = sender.model_dump(mode="json")
            request = CommandRequest.model_validate(data, context=Door(now))
        except (InputError, ValidationError) as error:
            return refuse("invalid", "the request is malformed", fields=field_errors(error)), None
        with correlation(request.correlationid or request.commandid):
            return await self._command(name, request, now), request.actor.id

    async def _command(self, name: str, request: CommandRequest, now: datetime) -> CommandReply:
        if name not in self.handlers:
            return refuse("not_found", f"{self.service} has no command '{name}'")
        model, handler = self.handlers[name]
        try:
            command = validate_input(model, request.body, now)
        except (InputError, ValidationError) as error:
            return refuse("invalid", "some fields are not valid", fields=field_errors(error, "body."))
        return authorize(request.actor, command) or await self._execute(request, command, handler, now)

    async def _execute(
        self, request: CommandRequest, command: Command, handler: Handler, now: datetime
    ) -> CommandReply:
        async def work(conn: Conn, preloaded: dict[str, list[StoredEvent]]) -> Applied:
            context = CommandContext(conn, self.store, request.actor, now, preloaded=preloaded)
            decided = await handler(context, command)
            results, envelopes = await append_decisions(
                context,
                decided,
                self.service,
                correlation_id=request.correlationid or request.commandid,
                causation_id=request.commandid,
            )
            first = results[0] if results else None  # no events: the command changed nothing
            commit = results[-1].commit if results else None  # its own events' place, even in a group
            reply = CommandReply(
                ok=True,
                stream=first.stream_id if first else None,
                streamversion=first.version if first else None,
                events=[event_id for result in results for event_id in result.event_ids],
                result=decided.result if isinstance(decided, Outcome) else None,
                position=str(Position(self.store.origin, *astuple(commit))) if commit else None,
            )
            await remember(conn, self.store.schema, asked, reply)
            return Applied(reply, lambda: self._count_appended(envelopes))

        asked = RequestKey.of(request, command)
        streams = handler.streams(command) if isinstance(handler, Preloading) else ()
        return await self.groups.submit(asked, work, streams)

    def _count_appended(self, envelopes: Sequence[EventEnvelope]) -> None:
        for envelope in envelopes:
            metrics.events_appended.labels(self.service, envelope.type).inc()

    async def _record_rejection(self, name: str, actor: str | None, error: ErrorBody) -> None:
        log.warning(
            "command refused",
            extra={
                "command": name,
                "actor": actor,
                "code": error.code,
                "reason": error.message,
                "fields": [f.model_dump() for f in error.fields],
            },
        )
        try:
            await self.store.pool.execute(
                f"INSERT INTO {self.store.schema}.rejections (command, actor, code, message, fields)"
                " VALUES ($1, $2, $3, $4, $5)",
                name[:200],
                actor,
                error.code,
                error.message,
                [f.model_dump() for f in error.fields],
            )
        except Exception:  # the log line above still records it
            log.exception("could not record a rejection")


def explain_failure(error: Exception) -> CommandReply:
    """The reply to a command whose handler raised: a domain refusal names its field, the rest is internal."""
    if isinstance(error, DomainError):
        found = error.field_error()
        return refuse(error.code, error.message, fields=[found] if found else [])
    log.error("a command failed", exc_info=error)
    return CommandReply(
        ok=False, error=internal_error("the command could not be completed; it was not applied")
    )


def authorize(actor: Actor, command: Command) -> CommandReply | None:
    if not actor.roles & command.allowed_roles:
        needed = ", ".join(sorted(command.allowed_roles))
        return refuse("forbidden", f"this command needs one of the roles: {needed}", "actor.roles")
    target = command.target_unit()
    if not is_within(target, actor.scope):  # the same answer as for a unit nobody registered
        return refuse("not_found", not_known("unit", target), "unit")
    return None


def refuse(
    code: Any, message: str, field: str | None = None, fields: list[FieldError] | None = None
) -> CommandReply:
    found = list(fields or [])
    if field:
        found.insert(0, FieldError(field=field, reason=message))
    return CommandReply(ok=False, error=ErrorBody(code=code, message=message, fields=found))


def as_decisions(decided: Decided) -> list[Decision]:
    if decided is None:
        return []
    if isinstance(decided, Outcome):
        decided = decided.decisions
    if isinstance(decided, Decision):
        return [decided] if decided.events else []
    return [decision for decision in decided if decision.events]


def envelopes_for(
    service: str,
    decision: Decision,
    *,
    actor_id: str,
    correlation_id: str,
    causation_id: str | None,
    now: datetime,
) -> list[EventEnvelope]:
    return [
        EventEnvelope(
            id=new_event_id(),
            source=f"urn:sanji:{service}",
            type=event.event_type,
            time=now,
            subject=decision.stream_id,
            dataschema=dataschema_for(event.event_type, event.version),
            unitpath=decision.unitpath,
            actor=actor_id,
            correlationid=correlation_id,
            causationid=causation_id,
            streamversion=decision.expected_version + offset,
            typeversion=event.version,
            data=event.model_dump(mode="json"),
        )
        for offset, event in enumerate(decision.events, start=1)
    ]


async def append_decisions(
    context: CommandContext,
    decided: Decided,
    service: str,
    *,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> tuple[list[AppendResult], list[EventEnvelope]]:
    """Append every decision's events inside the caller's transaction (one command may touch several streams)."""
    correlation = correlation_id or new_event_id()
    appends = [
        (
            decision.stream_id,
            decision.expected_version,
            envelopes_for(
                service,
                decision,
                actor_id=context.actor.id,
                correlation_id=correlation,
                causation_id=causation_id,
                now=context.now,
            ),
        )
        for decision in as_decisions(decided)
    ]
    if not appends:
        return [], []
    if len(appends) == 1:  # the common case keeps the store's full idempotency answer
        stream_id, expected, envelopes = appends[0]
        results = [
            await context.store.append(
                stream_id, expected, envelopes, conn=context.conn, known_heads=context.heads
            )
        ]
    else:
        for stream_id, expected, envelopes in appends:
            check_append(stream_id, expected, envelopes)
        results = await context.store.insert_many(context.conn, appends, context.heads)
    appended = [envelope for _, _, envelopes in appends for envelope in envelopes]
    return results, appended

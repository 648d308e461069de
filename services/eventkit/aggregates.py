"""Loading aggregates: the one way a handler turns a stream into (state, version).

An ``AggregateSpec`` says where an aggregate lives (its stream id from a key), what it starts as and
how each stored event changes it; ``load`` reads one stream (or takes it from what the command's group
read up front, see ``loads``), ``load_many`` reads many in one query
(bulk commands load hundreds of small aggregates). Stored events are upcast and decoded by the
registry on the way, so a spec's evolve only ever sees the newest version of each event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from contracts.registry import REGISTRY, DomainEvent
from services.eventkit.commanding import CommandContext, Handler, Preloading
from services.eventkit.store import StoredEvent

K = TypeVar("K")
S = TypeVar("S")


@dataclass(frozen=True)
class AggregateSpec(Generic[K, S]):
    """Where an aggregate keyed by ``K`` lives, its state before any event, and how events fold in."""

    stream: Callable[[K], str]
    initial: Callable[[], S]  # a factory: states may hold dicts, and no two loads may share one
    step: Callable[[S, StoredEvent], S]

    def fold(self, stored: Sequence[StoredEvent]) -> tuple[S, int]:
        """The state after ``stored`` (one stream, in order) and the stream's version."""
        state, version = self.initial(), 0
        for event in stored:
            state, version = self.step(state, event), event.envelope.streamversion
        return state, version


def aggregate(
    stream: Callable[[K], str], initial: Callable[[], S], evolve: Callable[[S, DomainEvent], S]
) -> AggregateSpec[K, S]:
    """A spec whose evolve takes the decoded event alone (most aggregates)."""
    return AggregateSpec(
        stream, initial, lambda state, stored: evolve(state, REGISTRY.decode(stored.envelope))
    )


def aggregate_with_ids(
    stream: Callable[[K], str], initial: Callable[[], S], evolve: Callable[[S, DomainEvent, str], S]
) -> AggregateSpec[K, S]:
    """A spec whose evolve also gets each event's id (a state that cites the events it rests on)."""
    return AggregateSpec(
        stream,
        initial,
        lambda state, stored: evolve(state, REGISTRY.decode(stored.envelope), stored.envelope.id),
    )


def loads(spec: AggregateSpec[K, S], key: Callable[[Any], K]) -> Callable[[Handler], Preloading]:
    """Marks a handler that loads ``spec``'s aggregate keyed ``key(command)``: its group reads that
    stream in its first statement instead of the handler's load costing a round trip of its own."""

    def mark(handler: Handler) -> Preloading:
        return Preloading(handler, lambda command: [spec.stream(key(command))])

    return mark


async def load(ctx: CommandContext, spec: AggregateSpec[K, S], key: K) -> tuple[S, int]:
    """The aggregate's state and its stream's version (0 for a stream with no events yet)."""
    stream = spec.stream(key)
    stored = ctx.preloaded.pop(stream, None)  # taken once: a second load sees this transaction's appends
    if stored is None:
        stored = await ctx.store.read_stream(stream, conn=ctx.conn)
    ctx.heads[stream] = stored[-1] if stored else None  # the append checks this head, not a new read
    return spec.fold(stored)


async def first_event(ctx: CommandContext, stream_id: str) -> DomainEvent | None:
    """A stream's first event, decoded (what began it: a case's report, say), or None for a new stream."""
    stored = await ctx.store.read_stream(stream_id, conn=ctx.conn)
    return REGISTRY.decode(stored[0].envelope) if stored else None


async def load_many(
    ctx: CommandContext, spec: AggregateSpec[K, S], keys: Iterable[K]
) -> dict[K, tuple[S, int]]:
    """Each key's state and version, all streams read in one query; an unknown key gets the initial state."""
    streams = {spec.stream(key): key for key in keys}
    found = await ctx.store.read_streams(list(streams), conn=ctx.conn)
    for stream, stored in found.items():
        ctx.heads[stream] = stored[-1] if stored else None
    return {key: spec.fold(found[stream]) for stream, key in streams.items()}

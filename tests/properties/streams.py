"""One way to drive a pure decide/evolve pair with generated commands, checking what every stream owes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from contracts.registry import DomainEvent
from services.eventkit.errors import DomainError

S = TypeVar("S")


class Stream(Generic[S]):
    """An aggregate's state and the events that made it, advanced only by decisions that are not refused."""

    def __init__(self, initial: S, evolve: Callable[[S, DomainEvent], S]) -> None:
        self.initial, self.state, self.evolve = initial, initial, evolve
        self.events: list[DomainEvent] = []
        self.refusals: list[DomainError] = []

    @property
    def version(self) -> int:
        return len(self.events)

    def attempt(self, decide: Callable[[S], Sequence[DomainEvent]]) -> bool:
        """Decide on the current state; a named domain error is a refusal, anything else fails the test."""
        try:
            events = list(decide(self.state))
        except DomainError as refusal:
            self.refusals.append(refusal)
            return False
        assert events == list(decide(self.state)), "decide is pure: the same state and command decide alike"
        self.append(events)
        return True

    def append(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            self.state = self.evolve(self.state, event)
        self.events.extend(events)

    def replayed(self) -> S:
        """The state folded again from the stored events, as a loader would."""
        return functools.reduce(self.evolve, self.events, self.initial)


def state_is_its_events(stream: Stream[S]) -> None:
    """Loading the stream again gives the very state the decisions built: evolve is deterministic, and the
    state's version is the number of its events (nothing changed state without an event)."""
    assert stream.replayed() == stream.state
    assert stream.version == len(stream.events)
    assert all(refusal.message.strip() for refusal in stream.refusals), "every refusal says why"


class HasEvents(Protocol):
    stream: str
    events: tuple[DomainEvent, ...]


class Streams(Generic[S]):
    """Several aggregates of one kind of world (a post and the outlets it answers for), advanced by
    decisions that append to several streams at once, all or nothing."""

    def __init__(
        self, streams: dict[str, Stream[Any]], new: Callable[[str], Stream[Any]] | None = None
    ) -> None:
        self.streams, self.new = streams, new  # ``new`` opens a stream a decision names for the first time
        self.refusals: list[DomainError] = []

    def stream(self, name: str) -> Stream[Any]:
        if name not in self.streams and self.new is not None:
            self.streams[name] = self.new(name)
        return self.streams[name]

    def state(self, name: str) -> Any:
        return self.stream(name).state

    def attempt(self, decide: Callable[[], Sequence[HasEvents]]) -> bool:
        try:
            changes = list(decide())
        except DomainError as refusal:
            self.refusals.append(refusal)
            return False
        assert changes == list(decide()), "decide is pure: the same states and command decide alike"
        for change in changes:
            self.stream(change.stream).append(change.events)
        return True

    def each(self) -> list[Stream[Any]]:
        return list(self.streams.values())

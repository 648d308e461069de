"""Every event type Sanji knows: its stable type string, its current version and the upcasters that
lift older stored versions to it (oldest to newest). Readers always see the newest shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from contracts.envelope import EventEnvelope

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class DomainEvent(BaseModel):
    """Base of all event payloads: past tense, frozen, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type: ClassVar[str]
    version: ClassVar[int] = 1


class UnknownEventType(KeyError):
    """An envelope whose type no registered event has."""


class UnsupportedEventVersionError(ValueError):
    """An envelope whose type version cannot be lifted to the version this reader knows."""


@dataclass
class EventSpec:
    model: type[DomainEvent]
    upcasters: dict[int, Upcaster] = field(default_factory=dict)  # from version n to n + 1


class EventRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, EventSpec] = {}

    def register(self, model: type[DomainEvent]) -> None:
        existing = self._specs.get(model.event_type)
        if existing and existing.model is not model:
            raise ValueError(f"event type {model.event_type} registered twice")
        self._specs.setdefault(model.event_type, EventSpec(model))

    def add_upcaster(self, event_type: str, from_version: int, upcaster: Upcaster) -> None:
        self.spec(event_type).upcasters[from_version] = upcaster

    def spec(self, event_type: str) -> EventSpec:
        try:
            return self._specs[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def models(self) -> list[type[DomainEvent]]:
        return [spec.model for spec in self._specs.values()]

    def upcast(self, event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        spec = self.spec(event_type)
        if version > spec.model.version:  # written by a newer release: reading it as older would lie
            raise UnsupportedEventVersionError(
                f"{event_type} v{version} is newer than v{spec.model.version}, the newest known here"
            )
        while version < spec.model.version:
            if version not in spec.upcasters:
                raise UnsupportedEventVersionError(
                    f"{event_type} has no upcaster from v{version} to v{version + 1}"
                )
            data = spec.upcasters[version](data)
            version += 1
        return data

    def decode(self, envelope: EventEnvelope) -> DomainEvent:
        """The typed payload of an envelope, upcast to the current version."""
        data = self.upcast(envelope.type, envelope.typeversion, dict(envelope.data))
        return self.spec(envelope.type).model.model_validate(data)


REGISTRY = EventRegistry()
E = TypeVar("E", bound=type[DomainEvent])


def event(event_type: str, version: int = 1) -> Callable[[E], E]:
    """Class decorator: give a payload model its stable type string and version and register it."""

    def wrap(model: E) -> E:
        model.event_type = event_type
        model.version = version
        REGISTRY.register(model)
        return model

    return wrap


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def wrap(function: Upcaster) -> Upcaster:
        REGISTRY.add_upcaster(event_type, from_version, function)
        return function

    return wrap

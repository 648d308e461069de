"""The event registry: stable type strings, versions and upcaster chains, on a registry of its own
so that nothing here leaks into the global REGISTRY."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from contracts.duty import UnitRegistered
from contracts.envelope import EventEnvelope, dataschema_for
from contracts.outreach import ActivityLogged
from contracts.registry import (
    REGISTRY,
    DomainEvent,
    EventRegistry,
    UnknownEventType,
    UnsupportedEventVersionError,
)
from contracts.units import UnitPath

TYPE = "testing.session_held"


class SessionHeld(DomainEvent):
    """Version 3: v1 had `title` and `people`; v2 renamed `title` to `topic`; v3 renamed `people`
    to `audience` and added `online`."""

    event_type: ClassVar[str] = TYPE
    version: ClassVar[int] = 3
    unit: UnitPath
    topic: str
    audience: int
    online: bool


def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    moved = {key: value for key, value in data.items() if key != "title"}
    return moved | {"topic": data["title"]}


def v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    moved = {key: value for key, value in data.items() if key != "people"}
    return moved | {"audience": data["people"], "online": False}


@pytest.fixture
def registry() -> EventRegistry:
    fresh = EventRegistry()
    fresh.register(SessionHeld)
    fresh.add_upcaster(TYPE, 1, v1_to_v2)
    fresh.add_upcaster(TYPE, 2, v2_to_v3)
    return fresh


def envelope(version: int, data: dict[str, Any], event_type: str = TYPE) -> EventEnvelope:
    return EventEnvelope(
        id="0195f0a0-0000-7000-8000-000000000001",
        source="urn:sanji:testing",
        type=event_type,
        time=datetime(2025, 3, 1, tzinfo=UTC),
        subject="session-1",
        dataschema=dataschema_for(event_type, version),
        unitpath="3205.320506",
        actor="clerk-1",
        correlationid="corr-1",
        streamversion=1,
        typeversion=version,
        data=data,
    )


V1 = {"unit": "3205.320506", "title": "民法典宣讲", "people": 40}
V2 = {"unit": "3205.320506", "topic": "民法典宣讲", "people": 40}
V3 = {"unit": "3205.320506", "topic": "民法典宣讲", "audience": 40, "online": True}


def test_v1_is_upcast_through_v2_to_v3(registry: EventRegistry) -> None:
    stored = envelope(1, V1)
    event = registry.decode(stored)
    assert event == SessionHeld(unit="3205.320506", topic="民法典宣讲", audience=40, online=False)
    assert stored.data == V1  # the stored envelope is left as it was


def test_v2_runs_only_the_later_upcaster(registry: EventRegistry) -> None:
    assert registry.upcast(TYPE, 2, dict(V2)) == {
        "unit": "3205.320506",
        "topic": "民法典宣讲",
        "audience": 40,
        "online": False,
    }


def test_the_current_version_is_read_as_is(registry: EventRegistry) -> None:
    assert registry.decode(envelope(3, V3)) == SessionHeld.model_validate(V3)


def test_upcast_data_is_still_validated(registry: EventRegistry) -> None:
    with pytest.raises(ValidationError):
        registry.decode(envelope(1, V1 | {"unit": "3205.330506"}))


def test_a_missing_upcaster_is_named() -> None:
    gappy = EventRegistry()
    gappy.register(SessionHeld)
    gappy.add_upcaster(TYPE, 1, v1_to_v2)
    with pytest.raises(UnsupportedEventVersionError, match="from v2 to v3"):
        gappy.decode(envelope(1, V1))


def test_a_version_newer_than_the_reader_is_refused(registry: EventRegistry) -> None:
    with pytest.raises(UnsupportedEventVersionError, match="v4 is newer than v3"):
        registry.decode(envelope(4, V3))


def test_unknown_types_raise_unknown_event_type(registry: EventRegistry) -> None:
    with pytest.raises(UnknownEventType):
        registry.decode(envelope(1, {}, event_type="testing.never_registered"))
    with pytest.raises(UnknownEventType):
        registry.spec("testing.never_registered")
    with pytest.raises(UnknownEventType):
        registry.add_upcaster("testing.never_registered", 1, v1_to_v2)


def test_a_type_registered_twice_by_different_models_is_refused(registry: EventRegistry) -> None:
    class Impostor(DomainEvent):
        event_type: ClassVar[str] = TYPE
        version: ClassVar[int] = 1

    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Impostor)
    assert registry.spec(TYPE).model is SessionHeld


def test_registering_the_same_model_again_keeps_its_upcasters(registry: EventRegistry) -> None:
    registry.register(SessionHeld)
    assert registry.models() == [SessionHeld]
    assert registry.decode(envelope(1, V1)).model_dump()["online"] is False


def test_the_global_registry_holds_the_contract_events_and_nothing_from_tests() -> None:
    assert REGISTRY.spec("duty.unit_registered").model is UnitRegistered
    assert REGISTRY.spec("outreach.activity_logged").model is ActivityLogged
    assert all(not model.event_type.startswith("testing.") for model in REGISTRY.models())


def test_event_payloads_are_strict_and_frozen() -> None:
    with pytest.raises(ValidationError):
        SessionHeld.model_validate(V3 | {"extra": 1})
    event = SessionHeld.model_validate(V3)
    with pytest.raises(ValidationError):
        event.topic = "changed"  # type: ignore[misc]

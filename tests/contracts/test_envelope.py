"""The event envelope: CloudEvents attributes plus Sanji's extensions, strict and in UTC."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.envelope import EventEnvelope, dataschema_for, new_event_id

SHANGHAI = timezone(timedelta(hours=8))


def envelope_fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": new_event_id(),
        "source": "urn:sanji:duty",
        "type": "duty.unit_registered",
        "time": datetime(2025, 3, 1, 8, 30, tzinfo=UTC),
        "subject": "unit-3205.320506",
        "dataschema": dataschema_for("duty.unit_registered", 1),
        "unitpath": "3205.320506",
        "actor": "admin-1",
        "correlationid": "corr-1",
        "streamversion": 1,
        "typeversion": 1,
        "data": {"path": "3205.320506", "name": "姑苏区民政局", "kind": "county_office"},
    }
    return fields | changes


def test_a_valid_envelope_keeps_cloudevents_defaults() -> None:
    envelope = EventEnvelope(**envelope_fields())
    assert envelope.specversion == "1.0"
    assert envelope.datacontenttype == "application/json"
    assert envelope.causationid is None


@pytest.mark.parametrize("naive", [datetime(2025, 3, 1, 8, 30), "2025-03-01T08:30:00"])
def test_naive_times_are_rejected(naive: object) -> None:
    with pytest.raises(ValidationError, match="timezone"):
        EventEnvelope(**envelope_fields(time=naive))


def test_times_are_stored_in_utc() -> None:
    envelope = EventEnvelope(**envelope_fields(time=datetime(2025, 3, 1, 16, 30, tzinfo=SHANGHAI)))
    assert envelope.time == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert envelope.time.utcoffset() == timedelta(0)
    parsed = EventEnvelope.model_validate_json(envelope.model_dump_json())
    assert parsed == envelope


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        EventEnvelope(**envelope_fields(tenant="x"))


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "UnitRegistered"},  # a type string, not a class name
        {"type": "duty.unit_registered.v1"},
        {"unitpath": "3205.330506"},
        {"streamversion": 0},
        {"typeversion": 0},
        {"specversion": "0.3"},
        {"id": ""},
        {"id": "x" * 65},
    ],
)
def test_invalid_attributes_are_rejected(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EventEnvelope(**envelope_fields(**changes))


def test_envelopes_are_frozen() -> None:
    envelope = EventEnvelope(**envelope_fields())
    with pytest.raises(ValidationError):
        envelope.actor = "someone-else"  # type: ignore[misc]


def test_event_ids_are_unique_uuid7s_carrying_their_time() -> None:
    ids = [new_event_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7
    millis = parsed.int >> 80
    assert abs(datetime.fromtimestamp(millis / 1000, UTC) - datetime.now(UTC)) < timedelta(days=1)


def test_dataschema_names_type_and_version() -> None:
    assert dataschema_for("outreach.activity_logged", 2) == "urn:sanji:schema:outreach.activity_logged:v2"

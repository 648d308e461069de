"""Building envelopes for runtime tests without going through a service."""

from __future__ import annotations

from contracts.envelope import EventEnvelope, dataschema_for, new_event_id, utc_now
from contracts.registry import DomainEvent


def envelope(
    stream: str, version: int, *, unit: str = "3205", audience: int = 1, event_id: str | None = None
) -> EventEnvelope:
    return EventEnvelope(
        id=event_id or new_event_id(),
        source="urn:sanji:test",
        type="outreach.activity_logged",
        time=utc_now(),
        subject=stream,
        dataschema=dataschema_for("outreach.activity_logged", 1),
        unitpath=unit,
        actor="tester",
        correlationid="c-1",
        streamversion=version,
        typeversion=1,
        data={
            "activity_id": f"{stream}-{version}",
            "unit": unit,
            "kind": "outreach_talk",
            "topic": "民政政策宣讲",
            "held_on": "2026-03-02",
            "audience": audience,
        },
    )


def batch(stream: str, after: int, count: int, **kwargs: object) -> list[EventEnvelope]:
    return [envelope(stream, after + i, **kwargs) for i in range(1, count + 1)]  # type: ignore[arg-type]


def event_envelope(
    event: DomainEvent, stream: str, version: int, *, unit: str, actor: str, source: str
) -> EventEnvelope:
    """A typed event in the envelope its service's command bus would give it."""
    return EventEnvelope(
        id=new_event_id(),
        source=source,
        type=event.event_type,
        time=utc_now(),
        subject=stream,
        dataschema=dataschema_for(event.event_type, event.version),
        unitpath=unit,
        actor=actor,
        correlationid=new_event_id(),
        streamversion=version,
        typeversion=event.version,
        data=event.model_dump(mode="json"),
    )

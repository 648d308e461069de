"""The CloudEvents 1.0 envelope every Sanji event travels in, plus Sanji's extensions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import uuid_utils
from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.units import UnitPath

SOURCE_PREFIX = "urn:sanji:"


def new_event_id() -> str:
    """A UUIDv7: time-ordered and globally unique, so JetStream can dedupe across every district."""
    return str(uuid_utils.uuid7())


def utc_now() -> datetime:
    return datetime.now(UTC)


class EventEnvelope(BaseModel):
    """One stored or published event (structured-mode CloudEvent with data inline)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=200, description="urn:sanji:<service> or an external system")
    type: str = Field(
        pattern=r"^[a-z][a-z_]*\.[a-z][a-z_]*$", description="stable type string, e.g. duty.unit_registered"
    )
    time: datetime
    subject: str = Field(min_length=1, max_length=300, description="the event stream (aggregate) id")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    unitpath: UnitPath
    actor: str = Field(min_length=1, max_length=120)
    correlationid: str = Field(min_length=1, max_length=64)
    causationid: str | None = Field(default=None, max_length=64)
    streamversion: int = Field(ge=1)
    typeversion: int = Field(ge=1, description="schema version of data; older ones are upcast on read")
    data: dict[str, Any]

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a timezone (events are in UTC)")
        return value.astimezone(UTC)


def dataschema_for(event_type: str, version: int) -> str:
    return f"urn:sanji:schema:{event_type}:v{version}"

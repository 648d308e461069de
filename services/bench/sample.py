"""What the benchmark sends: a unit tree, log_activity bodies, and envelopes shaped exactly like the ones
outreach stores, so raw floors and Sanji figures move the same bytes."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from contracts.commands import Actor, Role
from contracts.envelope import EventEnvelope, dataschema_for, new_event_id, utc_now
from contracts.outreach import ActivityKind, ActivityLogged
from services.eventkit.localtime import local_date
from services.outreach.aggregates import activity_stream

ACTOR = Actor(id="bench@3205", scope="3205", roles=frozenset({Role.ADMIN, Role.CLERK}))
CITY = "3205"
TOPIC = "民政政策宣讲进社区"
KINDS = tuple(ActivityKind)


def unit_tree(counties: int, townships_per_county: int) -> list[tuple[str, str, str]]:
    """(path, name, kind) for a city, its counties and their townships, parents first."""
    units = [(CITY, "苏州市民政局", "bureau")]
    for c in range(1, counties + 1):
        county = f"{CITY}{c + 5:02d}"
        units.append((f"{CITY}.{county}", f"第{c}区民政局", "county_office"))
        units.extend(
            (f"{CITY}.{county}.{county}{t:03d}", f"第{c}区第{t}街道", "township_office")
            for t in range(1, townships_per_county + 1)
        )
    return units


@dataclass
class ActivityFactory:
    """Unique activity ids and bodies spread over the given units, every kind in turn."""

    units: list[str]
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def next_id(self) -> str:
        return f"bench-{self.tag}-{next(self._counter):09d}"

    def body(self) -> dict[str, Any]:
        activity_id = self.next_id()
        n = int(activity_id.rsplit("-", 1)[1])
        return {
            "activity_id": activity_id,
            "unit": self.units[n % len(self.units)],
            "kind": KINDS[n % len(KINDS)].value,
            "topic": TOPIC,
            "held_on": yesterday().isoformat(),
            "audience": 20 + n % 180,
        }

    def envelope(self, now: datetime | None = None) -> EventEnvelope:
        """An ActivityLogged envelope as outreach's command bus would build it for ``body()``."""
        body = self.body()
        event = ActivityLogged.model_validate(body)
        command_id = new_event_id()
        return EventEnvelope(
            id=new_event_id(),
            source="urn:sanji:outreach",
            type=event.event_type,
            time=now or utc_now(),
            subject=activity_stream(body["activity_id"]),
            dataschema=dataschema_for(event.event_type, event.version),
            unitpath=body["unit"],
            actor=ACTOR.id,
            correlationid=command_id,
            causationid=command_id,
            streamversion=1,
            typeversion=event.version,
            data=event.model_dump(mode="json"),
        )


def yesterday() -> date:
    """A local (Asia/Shanghai) date that has certainly come: activities may not be logged ahead."""
    return local_date(utc_now()) - timedelta(days=1)

"""A small outreach world for integration tests: units registered in duty, learned by outreach."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from contracts.commands import Actor, Role
from contracts.duty import OutletRegistered, OutletStatusChanged
from contracts.envelope import EventEnvelope, dataschema_for, new_event_id
from contracts.subjects import event_subject
from services.eventkit.client import SanjiClient
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN

UNITS = [
    ("3205", "苏州市民政局", "bureau"),
    ("3205.320506", "吴中区民政局", "county_office"),
    ("3205.320506.320506001", "长桥街道", "township_office"),
    ("3205.320506.320506002", "郭巷街道", "township_office"),
]
TOWNSHIP = "3205.320506.320506001"
CITY_LEADER = Actor(id="leader@3205", scope="3205", roles=frozenset({Role.LEADER}))


def activity(activity_id: str, unit: str = TOWNSHIP, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "activity_id": activity_id,
        "unit": unit,
        "kind": "outreach_talk",
        "topic": "最低生活保障政策宣讲",
        "held_on": "2025-03-10",
        "audience": 100,
    }
    return body | changes


async def register_units(sanji: SanjiClient) -> None:
    for path, name, kind in UNITS:
        reply = await sanji.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN)
        assert reply.ok, reply.error

    async def outreach_knows_them() -> bool:  # outreach learns units from duty's events, asynchronously
        reply = await sanji.send("outreach.log_activity", activity("probe-0001", UNITS[-1][0]), CITY_ADMIN)
        return reply.ok or (reply.error is not None and reply.error.code == "conflict")

    await wait_until(outreach_knows_them, message="outreach never learned the units")


async def query(sanji: SanjiClient, name: str, **params: Any) -> dict[str, Any]:
    answer = await sanji.query(f"projection.{name}", params)
    assert answer["ok"], answer
    result: dict[str, Any] = answer["result"]
    return result


async def from_duty(
    sanji: SanjiClient, event: OutletRegistered | OutletStatusChanged, unit: str, version: int
) -> None:
    """Publish a duty event as duty's relay would (outreach only ever sees duty's events)."""
    envelope = EventEnvelope(
        id=new_event_id(),
        source="urn:sanji:duty",
        type=event.event_type,
        time=datetime.now(UTC),
        subject=f"outlet:{event.outlet_id}",
        dataschema=dataschema_for(event.event_type, event.version),
        unitpath=unit,
        actor="duty-test",
        correlationid="corr-outlets",
        streamversion=version,
        typeversion=event.version,
        data=event.model_dump(mode="json"),
    )
    await sanji.nc.jetstream().publish(
        event_subject(event.event_type, unit),
        envelope.model_dump_json().encode(),
        headers={"Nats-Msg-Id": envelope.id},
    )


def outlet(outlet_id: str, unit: str) -> OutletRegistered:
    return OutletRegistered(
        outlet_id=outlet_id,
        unit=unit,
        kind="wechat_account",
        name="吴中民政微信公众号",
        owner_post_id="post-0001",
        effective_on=date(2024, 1, 1),
    )

"""Durable deadline timers with an injected clock: working days across the National Day holiday and
a 调休 make-up Saturday, the full ladder township → county → city, and a restart with timers pending."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from contracts.opinion import ChaseIssued, OpinionEscalated, OpinionOverdue, SupervisionStarted
from services.eventkit.client import SanjiClient
from services.eventkit.localtime import SHANGHAI
from services.eventkit.runtime import ServiceRuntime
from tests.helpers import wait_until
from tests.opinion.builders import CITY, COUNTY, TOWN
from tests.opinion.support import (
    TOWN_CLERK,
    FakeClock,
    event_types,
    events_of,
    item,
    named,
    send_ok,
    setup_city,
)
from tests.stack import build, client, running, settings

LOOP_START = ["reported", "graded", "assigned"]


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def open_case(sanji: SanjiClient, case_id: str, severity: str, clock: FakeClock) -> None:
    await send_ok(sanji, "opinion.report", item(case_id, CITY, clock.now - timedelta(hours=1)))
    grade = {"relevant": True, "category": "social_assistance", "severity": severity, "owning_unit": TOWN}
    await send_ok(sanji, "opinion.grade", {"case_id": case_id, "unit": CITY, **grade})
    await send_ok(sanji, "opinion.assign", {"case_id": case_id, "unit": CITY, "to_unit": TOWN})


async def settles_at(opinion: ServiceRuntime, case_id: str, expected: list[str]) -> None:
    """Fire what is due (the runtime's own loop may beat us to it) until the case shows ``expected``."""
    assert opinion.timer_runner is not None

    async def shows() -> bool:
        await opinion.timer_runner.fire_due()  # type: ignore[union-attr]
        return await event_types(opinion.store, case_id) == expected

    await wait_until(
        shows, message=f"{case_id} never became {expected}: {await event_types(opinion.store, case_id)}"
    )


async def test_working_day_deadlines_across_the_holiday_and_a_make_up_saturday(
    nats_url: str, database_url: str
) -> None:
    clock = FakeClock(local(9, 30, 10))  # Wednesday; 1–7 October are off, Saturday 10 October works
    async with (
        running(nats_url, database_url, "duty", "opinion", clock=clock) as runtimes,
        client(nats_url) as sanji,
    ):
        opinion = named(runtimes, "opinion")
        await setup_city(sanji)
        await open_case(sanji, "case-holiday1", "IV", clock)  # ack 1, response 2, close 3 working days

        clock.now = local(10, 8, 23)  # seven days later, but only the first working day: nothing due
        await settles_at(opinion, "case-holiday1", LOOP_START)
        clock.now = local(10, 9, 0, 30)  # acknowledgement was due by the end of Thursday 8 October
        await settles_at(opinion, "case-holiday1", [*LOOP_START, "overdue", "chase_issued"])
        overdue, chase = (await events_of(opinion.store, "case-holiday1"))[3:]
        assert isinstance(overdue, OpinionOverdue)
        assert isinstance(chase, ChaseIssued)
        assert (overdue.deadline, overdue.unit, chase.to_unit, chase.by_unit) == (
            "acknowledge",
            TOWN,
            TOWN,
            COUNTY,
        )
        # Supervision waits one working day: the make-up Saturday counts, so the end of Saturday, not Monday.
        assert overdue.next_step_at == local(10, 10, 23, 59) + timedelta(seconds=59)

        clock.now = local(10, 10, 12)  # Saturday noon: the first response was due by Friday's end
        await settles_at(opinion, "case-holiday1", [*LOOP_START, *["overdue", "chase_issued"] * 2])
        clock.now = local(10, 11, 0, 30)  # Sunday: the close deadline (end of Saturday) and the ladder
        found = [*LOOP_START, *["overdue", "chase_issued"] * 3, "supervision_started"]
        await wait_until(
            lambda: _fired_in_any_order(opinion, "case-holiday1", found), message="close and supervision"
        )
        events = await events_of(opinion.store, "case-holiday1")
        supervision = next(event for event in events if isinstance(event, SupervisionStarted))
        assert (supervision.supervisor, supervision.automatic) == (COUNTY, True)
        assert {event.deadline for event in events if isinstance(event, OpinionOverdue)} == {
            "acknowledge",
            "first_response",
            "close",
        }


async def _fired_in_any_order(opinion: ServiceRuntime, case_id: str, expected: list[str]) -> bool:
    assert opinion.timer_runner is not None
    await opinion.timer_runner.fire_due()
    return sorted(await event_types(opinion.store, case_id)) == sorted(expected)


async def test_a_full_escalation_chain_township_county_city(nats_url: str, database_url: str) -> None:
    start = local(11, 4, 10)  # a Wednesday; severity II runs in clock hours
    clock = FakeClock(start)
    async with (
        running(nats_url, database_url, "duty", "opinion", "projection", clock=clock) as runtimes,
        client(nats_url) as sanji,
    ):
        opinion = named(runtimes, "opinion")
        await setup_city(sanji)
        await open_case(sanji, "case-ladder01", "II", clock)  # ack 2 h, response 6 h; ladder 2 h then 4 h
        steps = [
            (timedelta(hours=2, minutes=1), ["overdue", "chase_issued"]),  # to the township, from the county
            (timedelta(hours=4, minutes=2), ["supervision_started"]),  # the county supervises
            (timedelta(hours=6, minutes=1), ["overdue", "chase_issued"]),  # the first response is missed too
            (timedelta(hours=8, minutes=3), ["escalated"]),  # still overdue: up to the city
            (timedelta(hours=20), []),  # the city is the top: the ladder ends
        ]
        expected = list(LOOP_START)
        for after, added in steps:
            clock.now = start + after
            expected += added
            await settles_at(opinion, "case-ladder01", expected)
        events = await events_of(opinion.store, "case-ladder01")
        supervision, escalation = events[5], events[8]
        assert isinstance(supervision, SupervisionStarted)
        assert supervision.supervisor == COUNTY
        assert isinstance(escalation, OpinionEscalated)
        assert (escalation.from_unit, escalation.to_unit, escalation.automatic) == (COUNTY, CITY, True)
        assert escalation.next_step_at is None

        async def city_sees_it() -> bool:
            found = await sanji.query("projection.opinion.unit_stats", {"path": CITY, "period": "2026"})
            return bool(found["ok"]) and found["result"]["subtree"]["supervised"] == 1

        async def case_escalated() -> bool:  # the escalation is the last event: wait for the view to apply it
            found = await sanji.query("projection.opinion.case", {"case_id": "case-ladder01"})
            return bool(found["ok"]) and found["result"]["escalations"] == 1

        await wait_until(city_sees_it, message="the projection never showed the supervised case")
        await wait_until(case_escalated, message="the projection never showed the escalation")
        city = (await sanji.query("projection.opinion.unit_stats", {"path": CITY, "period": "2026"}))[
            "result"
        ]
        assert (city["subtree"]["overdue"], city["subtree"]["ever_overdue"]) == (1, 1)
        case = (await sanji.query("projection.opinion.case", {"case_id": "case-ladder01"}))["result"]
        assert (case["supervisor"], case["assignee"], case["escalations"]) == (CITY, TOWN, 1)
        assert case["overdue"] == ["acknowledge", "first_response"]

        # Late work still counts: acknowledging and acting clears what was overdue.
        await send_ok(sanji, "opinion.acknowledge", {"case_id": "case-ladder01", "unit": TOWN}, TOWN_CLERK)
        action = {
            "case_id": "case-ladder01",
            "unit": TOWN,
            "action": "contact_party",
            "description": "已联系当事人",
        }
        await send_ok(sanji, "opinion.record_action", action, TOWN_CLERK)

        async def cleared() -> bool:
            found = await sanji.query("projection.opinion.case", {"case_id": "case-ladder01"})
            return (
                bool(found["ok"])
                and found["result"]["overdue"] == []
                and found["result"]["state"] == "disposing"
            )

        await wait_until(cleared, message="overdue never cleared")


async def test_timers_pending_over_a_restart_fire_once(nats_url: str, database_url: str) -> None:
    start = local(11, 4, 10)
    clock = FakeClock(start)
    async with running(nats_url, database_url, "duty", clock=clock), client(nats_url) as sanji:
        first = build("opinion", settings(nats_url, database_url), clock=clock)
        await first.start()
        try:
            await setup_city(sanji)
            await open_case(sanji, "case-restart1", "II", clock)
        finally:
            await first.stop()
        pending = await _pending_timers(database_url, "case-restart1")
        assert sorted(kind for kind, _ in pending) == ["acknowledge", "close", "first_response"]

        clock.now = start + timedelta(hours=3)  # the acknowledgement fell due while nothing ran
        second = build("opinion", settings(nats_url, database_url), clock=clock)
        rival = build("opinion", settings(nats_url, database_url), clock=clock)
        await second.start()
        await rival.start()
        try:
            assert second.timer_runner is not None
            assert rival.timer_runner is not None
            await asyncio.gather(second.timer_runner.fire_due(), rival.timer_runner.fire_due())
            await settles_at(second, "case-restart1", [*LOOP_START, "overdue", "chase_issued"])
            await asyncio.gather(second.timer_runner.fire_due(), rival.timer_runner.fire_due())
            assert await event_types(second.store, "case-restart1") == [
                *LOOP_START,
                "overdue",
                "chase_issued",
            ]
            assert sorted(kind for kind, _ in await _pending_timers(database_url, "case-restart1")) == [
                "close",
                "first_response",
                "ladder",
            ]
        finally:
            await rival.stop()
            await second.stop()


async def _pending_timers(database_url: str, case_id: str) -> list[tuple[str, datetime]]:
    """(deadline kind or 'ladder', due) of the case's timers not fired yet, read straight from the table."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT timer_id, due_at FROM opinion.timers WHERE fired_at IS NULL AND timer_id LIKE $1",
            f"opinion:{case_id}:%",
        )
    finally:
        await conn.close()
    return [(row["timer_id"].split(":")[2].split("@")[0], row["due_at"]) for row in rows]

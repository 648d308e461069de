"""A loop recorded after the fact: each step says when it happened, deadlines and response times run from
then, steps may not go back in time, and a step more than BACKDATE_DAYS back needs a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from contracts.inputs import validate_input
from contracts.opinion.commands import AcknowledgeOpinion
from services.eventkit.errors import DomainError
from services.eventkit.localtime import local_date
from services.opinion.domain.case import Case, CaseState
from services.opinion.domain.deadlines import BACKFILL_GRACE, fire_at
from services.opinion.domain.occurrence import occurred
from tests.helpers import wait_until
from tests.opinion.builders import CITY, TOWN
from tests.opinion.support import TOWN_CLERK, item, send_ok, setup_city
from tests.stack import client, running

NOW = datetime(2026, 6, 30, 8, tzinfo=UTC)


def acknowledge(**changes: Any) -> AcknowledgeOpinion:
    return validate_input(AcknowledgeOpinion, {"case_id": "case-0001", "unit": TOWN} | changes, NOW)


def test_a_step_without_a_stated_time_happened_when_recorded() -> None:
    assert occurred(Case(), acknowledge(), NOW) == NOW


def test_a_step_may_not_happen_before_the_cases_previous_step() -> None:
    case = Case(state=CaseState.ASSIGNED, happened_at=NOW - timedelta(hours=2))
    stated = (NOW - timedelta(hours=1)).isoformat()
    assert occurred(case, acknowledge(occurred_at=stated), NOW) == NOW - timedelta(hours=1)
    with pytest.raises(DomainError) as refused:
        occurred(case, acknowledge(occurred_at=(NOW - timedelta(hours=3)).isoformat()), NOW)
    assert refused.value.field == "occurred_at"


def test_a_step_long_ago_needs_a_reason() -> None:
    long_ago = (NOW - timedelta(days=45)).isoformat()
    with pytest.raises(DomainError) as refused:
        occurred(Case(), acknowledge(occurred_at=long_ago), NOW)
    assert refused.value.field == "backdate_reason"
    assert occurred(Case(), acknowledge(occurred_at=long_ago, backdate_reason="补录"), NOW) < NOW


def test_a_deadline_already_past_when_armed_is_judged_after_the_back_fillers_grace() -> None:
    assert fire_at(NOW + timedelta(hours=1), NOW) == NOW + timedelta(hours=1)
    assert fire_at(NOW - timedelta(days=40), NOW) == NOW + BACKFILL_GRACE


def test_a_step_in_the_future_is_refused() -> None:
    with pytest.raises(ValueError, match="future"):  # the door refuses a future day
        acknowledge(occurred_at=(NOW + timedelta(days=2)).isoformat())
    with pytest.raises(DomainError):  # within today, beyond the clock skew
        occurred(Case(), acknowledge(occurred_at=(NOW + timedelta(hours=1)).isoformat()), NOW)


async def test_a_back_dated_loop_gives_the_true_response_times(nats_url: str, database_url: str) -> None:
    captured = (datetime.now(UTC) - timedelta(days=60)).replace(hour=2, minute=0, second=0, microsecond=0)

    def at(hours: int) -> dict[str, str]:
        return {
            "occurred_at": (captured + timedelta(hours=hours)).isoformat(),
            "backdate_reason": "年底补录处置记录",
        }

    async with running(nats_url, database_url, "duty", "opinion", "projection"), client(nats_url) as sanji:
        await setup_city(sanji)
        case = {"case_id": "case-back-0001"}
        await send_ok(sanji, "opinion.report", item(case["case_id"], CITY, captured))
        grade = {
            "unit": CITY,
            "relevant": True,
            "category": "elderly_care",
            "severity": "II",
            "owning_unit": TOWN,
        }
        await send_ok(sanji, "opinion.grade", case | grade | at(1))
        await send_ok(sanji, "opinion.assign", case | {"unit": CITY, "to_unit": TOWN} | at(2))
        # The acknowledgement's deadline passed long ago; its timer waits for the next back-filled step.
        conn = await asyncpg.connect(database_url)
        try:
            due = await conn.fetchval(
                "SELECT min(due_at) FROM opinion.timers WHERE payload->>'case_id' = $1 AND fired_at IS NULL",
                case["case_id"],
            )
        finally:
            await conn.close()
        assert due > datetime.now(UTC) + BACKFILL_GRACE - timedelta(minutes=1)
        backwards = await sanji.send("opinion.acknowledge", case | {"unit": TOWN} | at(0), TOWN_CLERK)
        assert backwards.error is not None
        assert [f.field for f in backwards.error.fields] == ["occurred_at"]
        no_reason = {"unit": TOWN, "occurred_at": at(3)["occurred_at"]}
        unexplained = await sanji.send("opinion.acknowledge", case | no_reason, TOWN_CLERK)
        assert unexplained.error is not None
        assert [f.field for f in unexplained.error.fields] == ["backdate_reason"]
        await send_ok(sanji, "opinion.acknowledge", case | {"unit": TOWN} | at(3), TOWN_CLERK)
        action = {"unit": TOWN, "action": "verify", "description": "实地核实"}
        await send_ok(sanji, "opinion.record_action", case | action | at(5), TOWN_CLERK)
        feedback = {"unit": TOWN, "said": "已发布情况通报", "reception": "accepted"}
        await send_ok(sanji, "opinion.give_feedback", case | feedback | at(6), TOWN_CLERK)
        await send_ok(sanji, "opinion.close", case | {"unit": CITY, "resolution": "处置完毕"} | at(8))

        day = local_date(captured).isoformat()

        async def hours() -> dict[str, Any]:
            found = await sanji.query("projection.opinion.unit_stats", {"path": CITY, "from": day, "to": day})
            assert found["ok"], found
            times: dict[str, Any] = found["result"]["subtree"]["hours"]
            return times

        async def closed() -> bool:
            return int((await hours())["close"]["count"]) == 1

        await wait_until(closed, message="the projection never showed the back-dated loop closed")
        times = await hours()
        medians = {name: times[name]["median"] for name in ("acknowledge", "first_response", "close")}
        assert medians == {"acknowledge": 1.0, "first_response": 4.0, "close": 7.0}

        steps = ("graded", "assigned", "acknowledged", "action_recorded", "feedback_given", "closed")
        conn = await asyncpg.connect(database_url)
        try:

            async def audited() -> list[asyncpg.Record]:
                return await conn.fetch(
                    "SELECT record_type, reason FROM projection.backdated_entries WHERE record_id = $1",
                    case["case_id"],
                )

            async def all_audited() -> bool:
                return len(await audited()) == len(steps)

            await wait_until(all_audited, message="the audit never listed every back-dated step")
            found = await audited()
        finally:
            await conn.close()
        assert sorted(r["record_type"] for r in found) == sorted(f"opinion.{t}" for t in steps)
        assert {r["reason"] for r in found} == {"年底补录处置记录"}

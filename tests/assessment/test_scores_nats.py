"""Assessment through NATS and PostgreSQL: facts from outreach's events become scores; a bulletin
freezes and ranks; a late fact changes the open period and not the frozen one; an appeal re-issues
the bulletin as a new version while the old one stays readable."""

from __future__ import annotations

from typing import Any

import pytest

import services.assessment.rescorer as rescorer_module
from contracts.assessment import BulletinPublished, ScoreComputed
from contracts.commands import Actor, Role
from contracts.registry import REGISTRY
from services.assessment.rescorer import Rescorer
from services.eventkit.runtime import ServiceRuntime
from tests.assessment.kit import (
    ASSESSOR,
    CITY,
    COUNTY,
    SCHEME,
    TOWN_A,
    TOWN_B,
    assessment,
    ok,
    register_city,
    study,
)
from tests.helpers import wait_until
from tests.stack import client, running

TOWN_B_LEADER = Actor(id="leader@320506002", scope=TOWN_B, roles=frozenset({Role.LEADER}))


async def latest_score(runtime: ServiceRuntime, unit: str, period: str) -> ScoreComputed | None:
    events = [REGISTRY.decode(s.envelope) for s in await runtime.store.read_stream(f"score:{unit}:{period}")]
    computed = [e for e in events if isinstance(e, ScoreComputed)]
    return computed[-1] if computed else None


async def score_is(runtime: ServiceRuntime, unit: str, period: str, total: float) -> None:
    async def reached() -> bool:
        found = await latest_score(runtime, unit, period)
        return found is not None and found.total == total

    await wait_until(reached, message=f"{unit} {period} never scored {total}")


async def bulletins(runtime: ServiceRuntime, period: str) -> list[BulletinPublished]:
    found = [
        REGISTRY.decode(s.envelope) for s in await runtime.store.read_stream(f"bulletin:{CITY}:{period}")
    ]
    return [b for b in found if isinstance(b, BulletinPublished)]


async def test_scores_bulletin_late_fact_and_appeal(nats_url: str, database_url: str) -> None:
    async with (
        running(nats_url, database_url, "duty", "outreach", "assessment") as runtimes,
        client(nats_url) as sanji,
    ):
        await register_city(sanji, SCHEME)
        # Township A studies in January (twice) and March; township B only in January.
        for activity_id, unit, day in [
            ("study-a-0101", TOWN_A, "2026-01-08"),
            ("study-a-0102", TOWN_A, "2026-01-20"),
            ("study-a-0301", TOWN_A, "2026-03-05"),
            ("study-b-0101", TOWN_B, "2026-01-09"),
        ]:
            await study(sanji, activity_id, unit, day)
        for unit, points in [(TOWN_A, 8), (TOWN_B, 6)]:
            body = {"unit": unit, "period": "2026-Q1", "indicator_id": "innovation", "points": points}
            await ok(sanji, "assessment.enter_manual_score", {**body, "note": "创新做法"}, ASSESSOR)

        runtime = assessment(runtimes)
        # A: quota 10 − 1 missing (Feb) × 2 = 8, manual 8 → 16 of 20 → scaled to the scheme's 20 points.
        await score_is(runtime, TOWN_A, "2026-Q1", 16.0)
        # B: quota 10 − 2 missing × 2 = 6, manual 6 → 12.
        await score_is(runtime, TOWN_B, "2026-Q1", 12.0)
        # The county has no facts of its own: quota 10 − 3 × 2 = 4, manual 0 → own 4; total 4×½ + 14×½ = 9.
        await score_is(runtime, COUNTY, "2026-Q1", 9.0)
        a = await latest_score(runtime, TOWN_A, "2026-Q1")
        assert a is not None
        quota = a.explanation.indicators[0]
        assert quota.inputs["missing"] == 1
        assert [check["done"] for check in quota.inputs["checks"]] == [2, 0, 1]
        assert {ref.subject for ref in quota.facts} == {
            "activity:study-a-0101",
            "activity:study-a-0102",
            "activity:study-a-0301",
        }
        assert all(ref.events for ref in quota.facts)  # each point names the events behind it

        await ok(sanji, "assessment.publish_bulletin", {"unit": CITY, "period": "2026-Q1"}, ASSESSOR)
        [first] = await bulletins(runtime, "2026-Q1")
        rows = {row.unit: row for row in first.rows}
        assert (rows[TOWN_A].rank, rows[TOWN_B].rank, rows[COUNTY].rank) == (1, 2, 1)
        assert rows[TOWN_B].total == 12.0

        # A late fact: B's February study arrives after publication. Q1 stays frozen, February moves.
        await study(sanji, "study-b-0201", TOWN_B, "2026-02-10")
        # The month's quota met; manual not entered → 10 of 20.
        await score_is(runtime, TOWN_B, "2026-02", 10.0)
        # An assessor's adjustment of the open month, with its reason, counts at once and is explained.
        adjust = {"unit": TOWN_B, "period": "2026-02", "points": -1.5, "reason": "台账不规范"}
        await ok(sanji, "assessment.adjust_score", adjust, ASSESSOR)
        await score_is(runtime, TOWN_B, "2026-02", 8.5)
        february = await latest_score(runtime, TOWN_B, "2026-02")
        assert february is not None
        assert [(a.name, a.points) for a in february.explanation.adjustments] == [("台账不规范", -1.5)]
        still = await latest_score(runtime, TOWN_B, "2026-Q1")
        assert still is not None
        assert still.total == 12.0
        refused = await sanji.send(
            "assessment.adjust_score",
            {"unit": TOWN_B, "period": "2026-Q1", "points": 1, "reason": "x"},
            ASSESSOR,
        )
        assert refused.error is not None
        assert "published" in refused.error.message

        # B appeals; the city upholds it with 4 points: version 2 ranks B first, version 1 stays.
        appeal = {
            "appeal_id": "appeal-b-q1",
            "unit": TOWN_B,
            "period": "2026-Q1",
            "reason": "2月学习记录漏报",
        }
        await ok(sanji, "assessment.file_appeal", appeal, TOWN_B_LEADER)
        decision = {
            "appeal_id": "appeal-b-q1",
            "unit": CITY,
            "upheld": True,
            "points": 4.5,
            "reason": "核实属实",
        }
        await ok(sanji, "assessment.decide_appeal", decision, ASSESSOR)
        first_again, second = await bulletins(runtime, "2026-Q1")
        assert first_again == first
        assert second.bulletin_version == 2
        assert second.reissued_for == "appeal-b-q1"
        rows = {row.unit: row for row in second.rows}
        assert (rows[TOWN_B].total, rows[TOWN_B].rank, rows[TOWN_A].rank) == (16.5, 1, 2)
        assert rows[COUNTY].total == 10.13  # own 4 × ½ + (16 + 16.5) / 2 × ½ = 10.125, half up
        twice = await sanji.send("assessment.decide_appeal", decision, ASSESSOR)
        assert twice.error is not None
        assert twice.error.code == "conflict"


async def count_computed(runtime: ServiceRuntime, unit: str, period: str) -> int:
    stored = await runtime.store.read_stream(f"score:{unit}:{period}")
    return sum(1 for s in stored if s.envelope.type == ScoreComputed.event_type)


async def test_rescoring_survives_a_crash_and_never_doubles(
    nats_url: str, database_url: str, monkeypatch: Any
) -> None:
    async with (
        running(nats_url, database_url, "duty", "outreach", "assessment") as runtimes,
        client(nats_url) as sanji,
    ):
        for path, name, kind in [(CITY, "苏州市民政局", "bureau"), (COUNTY, "吴中区民政局", "county_office")]:
            await ok(sanji, "duty.register_unit", {"path": path, "name": name, "kind": kind})
        await ok(sanji, "assessment.adopt_scheme", {"unit": CITY, "year": 2026, "scheme": SCHEME}, ASSESSOR)
        await study(sanji, "study-c-0101", COUNTY, "2026-01-08")
        runtime = assessment(runtimes)
        # County: January met (10) + manual 0 → 10 of 20 for the month.
        await score_is(runtime, COUNTY, "2026-01", 10.0)
        rescorer = runtime.workers[0]
        assert isinstance(rescorer, Rescorer)
        before = await count_computed(runtime, COUNTY, "2026-01")

        # Marked dirty again with nothing changed: recomputed, and no second event.
        await runtime.pool.execute(
            "INSERT INTO assessment.dirty (unit, period, depth) VALUES ($1, '2026-01', 2) ON CONFLICT DO NOTHING",
            COUNTY,
        )
        await wait_until(lambda: no_marks(runtime), message="the rescorer never cleared the mark")
        assert await count_computed(runtime, COUNTY, "2026-01") == before

        # A crash between scoring and commit, every round: nothing is kept and the marks stay; once the
        # fault is gone the next round appends the score exactly once.
        async def crash(*args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("killed before commit")

        await wait_until(lambda: no_marks(runtime), message="the adoption's rescoring never finished")
        # February was already scored (0) under the adopted scheme.
        february_before = await count_computed(runtime, COUNTY, "2026-02")
        monkeypatch.setattr(rescorer_module, "append_decisions", crash)
        await study(sanji, "study-c-0102", COUNTY, "2026-02-03")
        await wait_until(lambda: has_marks(runtime), message="the fact never marked its scores dirty")
        with pytest.raises(ConnectionError):
            await rescorer.rescore()
        assert await has_marks(runtime)
        assert await count_computed(runtime, COUNTY, "2026-02") == february_before
        monkeypatch.undo()
        await wait_until(lambda: no_marks(runtime), message="the rescorer never recovered")
        assert await count_computed(runtime, COUNTY, "2026-02") == february_before + 1
        february = await latest_score(runtime, COUNTY, "2026-02")
        assert february is not None
        assert february.total == 10.0


async def has_marks(runtime: ServiceRuntime) -> bool:
    return bool(await runtime.pool.fetchval("SELECT count(*) FROM assessment.dirty"))


async def no_marks(runtime: ServiceRuntime) -> bool:
    return not await has_marks(runtime)

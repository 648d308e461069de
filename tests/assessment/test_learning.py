"""What assessment learns from duty's and opinion's events, scored on a real PostgreSQL: outlets and coverage
gaps (coverage at the period's end), graded cases closed on time or late, missed deadlines (deduction
and veto), drills and irrelevant cases left out, findings and rectifications."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest

from contracts.assessment import SchemeAdopted
from contracts.duty import (
    Evidence,
    Finding,
    InspectionRecorded,
    OutletCoverageGapOpened,
    OutletRegistered,
    OutletStatusChanged,
    RectificationClosed,
    RectificationOpened,
    UnitRegistered,
)
from contracts.opinion import Due, OpinionClosed, OpinionGraded, OpinionOverdue, OpinionReported
from contracts.registry import DomainEvent
from services.assessment.reactions import learn
from services.assessment.rescorer import Rescorer
from services.eventkit.commanding import Decision, envelopes_for
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.pgstore import PostgresEventStore

CITY, COUNTY = "3205", "3205.320506"
SCHEME: dict[str, Any] = {
    "title": "阵地与舆情",
    "indicators": [
        {
            "id": "on_time",
            "name": "舆情按时办结率",
            "kind": "rate",
            "points": 20,
            "numerator": {"metric": "opinion_case", "where": {"closed_on_time": True}},
            "denominator": {"metric": "opinion_case"},
        },
        {
            "id": "coverage",
            "name": "阵地责任覆盖率",
            "kind": "coverage",
            "points": 20,
            "population": {"metric": "outlet"},
            "gaps": {"metric": "coverage_gap"},
        },
        {
            "id": "rectified",
            "name": "整改按期完成率",
            "kind": "rate",
            "points": 20,
            "numerator": {"metric": "rectification", "where": {"on_time": True}},
            "denominator": {"metric": "rectification"},
        },
    ],
    "deductions": [
        {
            "id": "overdue",
            "name": "舆情超时",
            "select": {"metric": "opinion_overdue"},
            "per_fact": 1,
            "cap": 5,
        },
        {
            "id": "findings",
            "name": "检查发现问题",
            "select": {"metric": "finding"},
            "per_fact": 0.5,
            "cap": 3,
        },
    ],
    "vetoes": [
        {
            "id": "grave",
            "name": "特别重大舆情超时",
            "select": {"metric": "opinion_case", "where": {"severity": "I"}},
        }
    ],
}


def at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=4)
    async with pool.acquire() as conn:
        await migrate(conn, "assessment", service_migrations("services.assessment"))
    yield pool
    await pool.close()


EARLY = at("2026-01-02")


async def feed(pool: asyncpg.Pool, event: DomainEvent, when: datetime = EARLY) -> None:
    """One event through the reaction's handler, in its own transaction, as the consumer runs it."""
    decision = Decision("test", 0, CITY, [event])
    [envelope] = envelopes_for(
        "test", decision, actor_id="t", correlation_id="c", causation_id=None, now=when
    )
    async with pool.acquire() as conn, conn.transaction():
        await learn(conn, envelope)


def case_reported(case_id: str, captured: str, drill: bool = False) -> OpinionReported:
    return OpinionReported(
        case_id=case_id,
        unit=COUNTY,
        channel="weibo",
        title="网传养老院护工推搡老人",
        excerpt="短视频",
        captured_at=at(captured),
        source="staff",
        drill=drill,
    )


def graded(
    case_id: str, severity: str, due: str, relevant: bool = True, drill: bool = False
) -> OpinionGraded:
    return OpinionGraded(
        case_id=case_id,
        unit=CITY,
        relevant=relevant,
        category="elderly_care" if relevant else None,
        severity=severity if relevant else None,
        owning_unit=COUNTY if relevant else None,
        deadlines={"close": Due(due_at=at(due, 0))} if relevant else {},
        drill=drill,
    )


async def test_duty_and_opinion_facts_score_rate_coverage_deductions_and_veto(pool: asyncpg.Pool) -> None:
    await feed(pool, UnitRegistered(path=CITY, name="苏州市民政局", kind="bureau"))
    await feed(pool, UnitRegistered(path=COUNTY, name="吴中区民政局", kind="county_office", parent=CITY))
    # Outlets: two running all quarter, one of them without an owner since February; one closed in February.
    for outlet_id in ("o-web", "o-wx", "o-screen"):
        await feed(
            pool,
            OutletRegistered(
                outlet_id=outlet_id,
                unit=COUNTY,
                kind="website",
                name=outlet_id,
                owner_post_id="p-info",
                effective_on=date(2026, 1, 5),
            ),
        )
    await feed(
        pool,
        OutletCoverageGapOpened(
            outlet_id="o-wx", unit=COUNTY, post_id="p-info", effective_on=date(2026, 2, 1)
        ),
    )
    await feed(
        pool,
        OutletStatusChanged(
            outlet_id="o-screen", unit=COUNTY, status="closed", reason="撤除", effective_on=date(2026, 2, 10)
        ),
    )
    # Opinion: one case closed on time, one grave case overdue and closed late; an irrelevant one and a drill.
    await feed(pool, case_reported("c-ok", "2026-02-03"))
    await feed(pool, graded("c-ok", "II", "2026-02-10"))
    await feed(pool, OpinionClosed(case_id="c-ok", unit=COUNTY, resolution="已处置"), at("2026-02-09"))
    await feed(pool, case_reported("c-late", "2026-02-05"))
    await feed(pool, graded("c-late", "I", "2026-02-12"))
    overdue = OpinionOverdue(case_id="c-late", deadline="close", due_at=at("2026-02-12", 0), unit=COUNTY)
    await feed(pool, overdue, at("2026-02-12"))
    await feed(pool, OpinionClosed(case_id="c-late", unit=COUNTY, resolution="已处置"), at("2026-02-20"))
    await feed(pool, case_reported("c-noise", "2026-02-06"))
    await feed(pool, graded("c-noise", "IV", "2026-02-20", relevant=False))
    await feed(pool, case_reported("c-drill", "2026-02-07", drill=True))
    await feed(pool, graded("c-drill", "I", "2026-02-08", drill=True))
    # An inspection finding on the website, and two rectifications: one on time, one late.
    finding = Finding(finding_id="f1", outlet_id="o-web", item="stale_content", description="长期未更新")
    inspection = InspectionRecorded(
        inspection_id="insp-1",
        unit=COUNTY,
        inspected_on=date(2026, 3, 2),
        inspector="市局宣传科",
        outlets_checked=["o-web"],
        findings=[finding],
    )
    await feed(pool, inspection)
    for rect_id, due, late in (("r-1", "2026-03-10", False), ("r-2", "2026-03-15", True)):
        opened = RectificationOpened(
            rectification_id=rect_id,
            inspection_id="insp-1",
            finding_id="f1",
            outlet_id="o-web",
            unit=COUNTY,
            item="stale_content",
            instructions="及时更新",
            workdays=5,
            opened_at=at("2026-03-03"),
            due_at=at(due),
            deadline_estimated=False,
        )
        await feed(pool, opened)
        evidence = [Evidence(description="已更新")]
        closed = RectificationClosed(
            rectification_id=rect_id,
            unit=COUNTY,
            summary="完成",
            evidence=evidence,
            closed_at=at(due),
            late=late,
        )
        await feed(pool, closed)

    subjects = {row["subject"] for row in await pool.fetch("SELECT subject FROM assessment.facts")}
    assert "case:c-noise" not in subjects
    assert "case:c-drill" not in subjects

    store = PostgresEventStore(pool, "assessment")
    adopted = SchemeAdopted.model_validate(
        {"unit": CITY, "year": 2026, "scheme_version": 1, "scheme": SCHEME}
    )
    decision = Decision("scheme:2026", 0, CITY, [adopted])
    envelopes = envelopes_for(
        "test", decision, actor_id="t", correlation_id="c", causation_id=None, now=at("2026-01-01")
    )
    await store.append("scheme:2026", 0, envelopes)
    # The facts marked their periods dirty as they came; the scheme arrives last (as adopting one does).
    await Rescorer(store, scope=CITY).drain()

    row = await pool.fetchrow(
        "SELECT own, total, vetoed FROM assessment.scores WHERE unit = $1 AND period = '2026-Q1'", COUNTY
    )
    assert row is not None
    # on time 1/2 × 20 = 10; coverage: o-web covered, o-wx gap open on 31 March, o-screen closed → 1/2 × 20
    # = 10; rectifications on time 1/2 × 20 = 10; −1 overdue, −0.5 finding → 28.5; the grave case vetoes.
    assert (row["own"], row["total"], row["vetoed"]) == (28.5, 28.5, True)

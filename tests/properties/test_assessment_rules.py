"""Schemes, score sheets and appeals under any sequence of commands: only named refusals, and the rules
hold (manual points within the indicator's worth, no zero adjustment, a published period frozen, an
appeal decided once and only after it was filed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from contracts.assessment import (
    AdjustScore,
    AdoptScheme,
    AppealDecided,
    BulletinPublished,
    BulletinRow,
    DecideAppeal,
    EnterManualScore,
    Explanation,
    FileAppeal,
    Manual,
    Scheme,
)
from contracts.registry import DomainEvent
from services.assessment.domain import (
    AppealState,
    SchemeBook,
    ScoreSheet,
    decide_adjust,
    decide_adopt,
    decide_appeal,
    decide_file_appeal,
    decide_manual,
    evolve_appeal,
    evolve_schemes,
    evolve_sheet,
)
from tests.properties.streams import Stream, state_is_its_events

ROOT = Path(__file__).resolve().parents[2]
SCHEME = Scheme.model_validate(
    yaml.safe_load((ROOT / "services/assessment/schemes/example.yaml").read_text(encoding="utf-8"))
)
WORTH = {leaf.id: leaf.points for leaf in SCHEME.leaves() if isinstance(leaf, Manual)}
CITY, COUNTY, TOWNSHIP = "3205", "3205.320506", "3205.320506.320506001"
TODAY = date(2026, 12, 7)
Step = Callable[[Any], Sequence[DomainEvent]]


def sheet_evolve(sheet: ScoreSheet, event: DomainEvent) -> ScoreSheet:
    """evolve_sheet keeps the event id of each entry; the event's own JSON stands in for the id here."""
    return evolve_sheet(sheet, event, event.model_dump_json())


# --- schemes --------------------------------------------------------------------------------------------
adoptions = st.builds(
    lambda unit, reason: AdoptScheme(unit=unit, year=2026, scheme=SCHEME, reason=reason),
    st.sampled_from([CITY, CITY, COUNTY]),
    st.none() | st.just("修订"),
)


def each_version_is_numbered_from_one(book: SchemeBook, events: Sequence[DomainEvent]) -> None:
    assert [event.scheme_version for event in events] == list(range(1, len(book.versions) + 1))  # type: ignore[attr-defined]


@given(script=st.lists(adoptions, min_size=1, max_size=6))
def test_any_sequence_of_adoptions_numbers_the_scheme_versions(script: list[AdoptScheme]) -> None:
    stream = Stream(SchemeBook(), evolve_schemes)
    for command in script:
        stream.attempt(lambda book, command=command: decide_adopt(book, command))  # type: ignore[misc]
        each_version_is_numbered_from_one(stream.state, stream.events)
    state_is_its_events(stream)


# --- a unit's period: manual scores and adjustments ---------------------------------------------------
@dataclass(frozen=True)
class SheetStep:
    """A sheet command, decided while the period is open or after its bulletin froze it."""

    frozen: bool
    decide: Step


def manual(indicator_id: str, points: float, frozen: bool) -> SheetStep:
    command = EnterManualScore(
        unit=TOWNSHIP, period="2026-Q4", indicator_id=indicator_id, points=points, note="评分"
    )
    frozen_by = "bulletin-1" if frozen else None
    return SheetStep(frozen, lambda sheet: decide_manual((1, SCHEME), frozen_by, command))


def adjust(points: float, frozen: bool) -> SheetStep:
    command = AdjustScore(unit=TOWNSHIP, period="2026-Q4", points=points, reason="加减分")
    frozen_by = "bulletin-1" if frozen else None
    return SheetStep(frozen, lambda sheet: decide_adjust(frozen_by, command))


points = st.floats(0, 40, allow_nan=False) | st.sampled_from([0.0, 20.0, 20.000001])
sheet_steps = st.one_of(
    st.builds(manual, st.sampled_from([*WORTH, "central_study", "missing"]), points, st.booleans()),
    st.builds(adjust, st.floats(-100, 100, allow_nan=False) | st.just(0.0), st.booleans()),
)


def manual_points_stay_within_the_indicator_worth(sheet: ScoreSheet) -> None:
    for indicator_id, entry in sheet.manual.items():
        assert 0 <= entry.points <= WORTH[indicator_id]


def no_adjustment_is_zero(sheet: ScoreSheet) -> None:
    assert all(adjustment.points != 0 for adjustment in sheet.adjustments)


def a_published_period_changes_only_by_appeal(step: SheetStep, accepted: bool) -> None:
    assert not (step.frozen and accepted)


@given(script=st.lists(sheet_steps, min_size=1, max_size=20))
def test_any_sequence_of_sheet_commands_keeps_points_in_bounds_and_published_periods_frozen(
    script: list[SheetStep],
) -> None:
    stream = Stream(ScoreSheet(), sheet_evolve)
    for step in script:
        a_published_period_changes_only_by_appeal(step, stream.attempt(step.decide))
        manual_points_stay_within_the_indicator_worth(stream.state)
        no_adjustment_is_zero(stream.state)
    state_is_its_events(stream)


# --- appeals --------------------------------------------------------------------------------------------
def row(unit: str, rank: int) -> BulletinRow:
    explanation = Explanation(scheme_version=1, indicators=[], applicable_points=100, scale=1)
    return BulletinRow(
        unit=unit, name=unit, parent=None, own=80, total=80, vetoed=False, rank=rank, explanation=explanation
    )


BULLETIN = BulletinPublished(
    unit=COUNTY,
    period="2026-Q3",
    bulletin_version=1,
    title="2026年第三季度通报",
    scheme_version=1,
    rows=[row(COUNTY, 1), row(TOWNSHIP, 1)],
    appeal_deadline=TODAY,
)
APPEAL_ID = "appeal-1"


def file_appeal(unit: str, bulletin: bool, days_late: int) -> Step:
    command = FileAppeal(unit=unit, appeal_id=APPEAL_ID, period="2026-Q3", reason="数据有误")
    today = TODAY + timedelta(days=days_late)
    return lambda state: decide_file_appeal(state, BULLETIN if bulletin else None, command, today)


def decide(unit: str, upheld: bool, points: float) -> Step:
    command = DecideAppeal(appeal_id=APPEAL_ID, unit=unit, upheld=upheld, points=points, reason="复核")
    return lambda state: decide_appeal(state, command)


units = st.sampled_from([CITY, COUNTY, TOWNSHIP, "3205.320507"])
appeal_steps = st.one_of(
    st.builds(file_appeal, units, st.sampled_from([True, True, False]), st.sampled_from([-3, 0, 0, 1])),
    st.builds(decide, units, st.booleans(), st.sampled_from([0.0, 0.0, 1.5, -2.0])),
)


def an_appeal_is_decided_once_and_only_after_filing(
    state: AppealState, events: Sequence[DomainEvent]
) -> None:
    decided = [event for event in events if isinstance(event, AppealDecided)]
    assert len(decided) <= 1
    if state.decided is not None:
        assert state.filed is not None


def a_rejected_appeal_changes_no_points(state: AppealState) -> None:
    if state.decided is not None and not state.decided.upheld:
        assert state.decided.points == 0


def an_appeal_is_decided_for_the_bulletin_it_contests(state: AppealState) -> None:
    if state.decided is not None:
        assert state.decided.bulletin_unit == BULLETIN.unit


@given(script=st.lists(appeal_steps, min_size=2, max_size=12))
def test_any_sequence_of_appeal_commands_decides_each_appeal_once(script: list[Step]) -> None:
    stream = Stream(AppealState(), evolve_appeal)
    for step in script:
        stream.attempt(step)
        an_appeal_is_decided_once_and_only_after_filing(stream.state, stream.events)
        a_rejected_appeal_changes_no_points(stream.state)
        an_appeal_is_decided_for_the_bulletin_it_contests(stream.state)
    state_is_its_events(stream)

"""Inspections and rectifications (整改) under any commands and deadline timers: only named refusals; an
inspection names only checked running outlets of its unit, and a rectification is closed only with
evidence, once, and marked late when past due."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.duty import (
    AddRectificationEvidence,
    CloseRectification,
    Evidence,
    Finding,
    NegativeListItem,
    OpenRectification,
    OutletKind,
    OutletRegistered,
    RecordInspection,
    RectificationClosed,
    UnitKind,
)
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.duty.domain.inspections import (
    Inspection,
    Rectification,
    decide_add_evidence,
    decide_close_rectification,
    decide_flag_overdue,
    decide_open_rectification,
    decide_record_inspection,
    evolve_inspection,
    evolve_rectification,
)
from services.duty.domain.outlets import Outlet, evolve_outlet
from services.duty.domain.units import Unit
from tests.properties.streams import Stream, state_is_its_events

TOWNSHIP = "3205.320506.320506001"
RECTIFICATION_ID = "rect-1"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
FINDING = Finding(
    finding_id="f1", outlet_id="outlet-1", item=next(iter(NegativeListItem)), description="栏目停更"
)
INSPECTION = Inspection("insp-1", TOWNSHIP, (FINDING,))
OUTLET = evolve_outlet(
    Outlet(),
    OutletRegistered(
        outlet_id="outlet-1",
        unit=TOWNSHIP,
        kind=OutletKind.WEBSITE,
        name="门户",
        owner_post_id="post-a",
        effective_on=START.date(),
    ),
)
Decide = Callable[[Rectification, datetime], Sequence[DomainEvent]]
units = st.sampled_from([TOWNSHIP, TOWNSHIP, "3205.320506", "3205.320507"])
PHOTO = Evidence(description="整改照片", reference="IMG_0001.jpg")


def evidence(least: int) -> st.SearchStrategy[list[Evidence]]:
    return st.integers(least, 2).map(lambda count: [PHOTO] * count)


def open_it(unit: str, finding_id: str, workdays: int, taken_by: str | None) -> Decide:
    command = OpenRectification(
        rectification_id=RECTIFICATION_ID,
        inspection_id="insp-1",
        finding_id=finding_id,
        unit=unit,
        workdays=workdays,
        instructions="限期整改",
    )
    return lambda state, now: decide_open_rectification(
        state, INSPECTION, OUTLET, taken_by=taken_by, command=command, now=now
    )


def add_evidence(unit: str, items: list[Evidence]) -> Decide:
    def decide(state: Rectification, now: datetime) -> Sequence[DomainEvent]:
        command = AddRectificationEvidence(rectification_id=RECTIFICATION_ID, unit=unit, evidence=items)
        return decide_add_evidence(state, command)

    return decide


def close(unit: str, items: list[Evidence]) -> Decide:
    command = CloseRectification(
        rectification_id=RECTIFICATION_ID, unit=unit, evidence=items, summary="已整改"
    )
    return lambda state, now: decide_close_rectification(state, command, now)


steps = st.one_of(
    st.builds(
        open_it, units, st.sampled_from(["f1", "f1", "f9"]), st.integers(1, 10), st.none() | st.just("rect-0")
    ),
    st.builds(add_evidence, units, evidence(1)),
    st.builds(close, units, evidence(0)),
    st.just(decide_flag_overdue),
)


def a_closed_rectification_has_evidence(state: Rectification) -> None:
    if state.closed:
        assert state.evidence


def it_is_closed_at_most_once(events: Sequence[DomainEvent]) -> None:
    assert sum(isinstance(event, RectificationClosed) for event in events) <= 1


def a_close_after_the_deadline_is_late(events: Sequence[DomainEvent], state: Rectification) -> None:
    for event in events:
        if (
            isinstance(event, RectificationClosed)
            and state.due_at is not None
            and event.closed_at > state.due_at
        ):
            assert event.late


@given(script=st.lists(st.tuples(steps, st.integers(0, 96)), min_size=2, max_size=20))
def test_any_sequence_of_rectification_commands_closes_only_with_evidence(
    script: list[tuple[Decide, int]],
) -> None:
    stream = Stream(Rectification(), evolve_rectification)
    now = START
    stream.attempt(lambda state: open_it(TOWNSHIP, "f1", 3, None)(state, now))
    for decide, hours_later in script:
        now += timedelta(hours=hours_later)
        stream.attempt(lambda state, decide=decide, now=now: decide(state, now))  # type: ignore[misc]
        a_closed_rectification_has_evidence(stream.state)
        it_is_closed_at_most_once(stream.events)
        a_close_after_the_deadline_is_late(stream.events, stream.state)
    state_is_its_events(stream)


outlet_pool = {
    "outlet-1": OUTLET,
    "outlet-next-door": evolve_outlet(
        Outlet(),
        OutletRegistered(
            outlet_id="outlet-next-door",
            unit="3205.320506.320506002",
            kind=OutletKind.WEBSITE,
            name="邻镇门户",
            owner_post_id="post-b",
            effective_on=START.date(),
        ),
    ),
}
inspected_outlets = st.lists(st.sampled_from([*outlet_pool, "outlet-missing"]), min_size=1, max_size=3)
findings = st.lists(
    st.builds(
        Finding,
        finding_id=st.sampled_from(["f1", "f2"]),
        outlet_id=st.sampled_from([*outlet_pool, "outlet-missing"]),
        item=st.sampled_from(NegativeListItem),
        description=st.just("问题"),
    ),
    max_size=3,
)


@given(
    checked=inspected_outlets,
    found=findings,
    unit=st.sampled_from([TOWNSHIP, "3205.320506"]),
    days_ago=st.integers(-1, 30),
)
def test_a_recorded_inspection_names_only_checked_running_outlets_of_its_unit(
    checked: list[str], found: list[Finding], unit: str, days_ago: int
) -> None:
    command = RecordInspection(
        inspection_id="insp-2",
        unit=unit,
        inspected_on=START.date() - timedelta(days=days_ago),
        inspector="督查组",
        outlets_checked=checked,
        findings=found,
    )
    inspected = Unit(unit, "单位", UnitKind.TOWNSHIP_OFFICE, None)
    stream = Stream(Inspection(), evolve_inspection)
    if stream.attempt(
        lambda state: decide_record_inspection(state, inspected, outlet_pool, command, START.date())
    ):
        recorded = stream.state
        assert len(set(checked)) == len(checked)
        assert all(
            outlet_pool[o].unit is not None and is_within(outlet_pool[o].unit or "", unit) for o in checked
        )
        assert {f.outlet_id for f in recorded.findings} <= set(checked)
        assert len({f.finding_id for f in recorded.findings}) == len(recorded.findings)
        assert not stream.attempt(
            lambda state: decide_record_inspection(state, inspected, outlet_pool, command, START.date())
        )
    state_is_its_events(stream)

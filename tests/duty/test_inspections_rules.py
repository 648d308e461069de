"""Inspections and rectifications, given/when/then: findings on checked outlets, a deadline in working
days across a statutory holiday, evidence to close, overdue only while open."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.duty import (
    AddRectificationEvidence,
    CloseRectification,
    Evidence,
    Finding,
    InspectionRecorded,
    NegativeListItem,
    OpenRectification,
    OutletStatus,
    OutletStatusChanged,
    RecordInspection,
    RectificationOpened,
    RectificationOverdue,
)
from contracts.registry import DomainEvent
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
from services.duty.domain.outlets import Outlet
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from tests.duty.given import CHANGQIAO, TODAY, WUZHONG, XIANGCHENG, county, given, outlet, types

FINDING = Finding(
    finding_id="f1", outlet_id="o-1", item=NegativeListItem.STALE_CONTENT, description="三个月未更新"
)
# Tuesday 30 Sep 2025, 10:00 in Shanghai: National Day runs 1–8 Oct; Sat 11 Oct is a make-up workday.
OPENED_AT = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)


def record(
    *outlets: str, findings: tuple[Finding, ...] = (FINDING,), on: date = date(2025, 7, 10)
) -> RecordInspection:
    return RecordInspection(
        inspection_id="i-1",
        unit=WUZHONG,
        inspected_on=on,
        inspector="市局宣传科",
        outlets_checked=list(outlets or ("o-1",)),
        findings=list(findings),
    )


def checked(*outlets: Outlet) -> dict[str, Outlet]:
    return {o.outlet_id or "": o for o in outlets}


def test_an_inspection_records_findings_against_the_negative_list() -> None:
    events = decide_record_inspection(Inspection(), county(), checked(outlet("o-1", "p-io")), record(), TODAY)
    assert events == [InspectionRecorded(**record().model_dump())]


def test_checked_outlets_are_running_outlets_of_the_inspected_unit() -> None:
    with pytest.raises(NotFound, match="outlet o-1 is not registered"):
        decide_record_inspection(Inspection(), county(), {}, record(), TODAY)
    elsewhere = outlet("o-1", "p-x", XIANGCHENG)
    with pytest.raises(DomainError, match=re.escape("is not in 3205.320506, the inspected unit")):
        decide_record_inspection(Inspection(), county(), checked(elsewhere), record(), TODAY)
    closed = OutletStatusChanged(
        outlet_id="o-1",
        unit=WUZHONG,
        status=OutletStatus.CLOSED,
        reason="停用",
        effective_on=date(2025, 3, 1),
    )
    with pytest.raises(DomainError, match="closed outlets are not inspected"):
        decide_record_inspection(
            Inspection(), county(), checked(outlet("o-1", "p-io", later=[closed])), record(), TODAY
        )
    # An outlet of a township below the county is inspected as part of the county.
    below = outlet("o-1", "p-io", CHANGQIAO)
    assert decide_record_inspection(Inspection(), county(), checked(below), record(), TODAY)


def test_findings_name_checked_outlets_with_distinct_ids() -> None:
    stray = Finding(
        finding_id="f2", outlet_id="o-9", item=NegativeListItem.POLITICAL_ERROR, description="提法错误"
    )
    with pytest.raises(DomainError, match="not checked: o-9"):
        decide_record_inspection(
            Inspection(), county(), checked(outlet("o-1", "p-io")), record(findings=(FINDING, stray)), TODAY
        )
    with pytest.raises(DomainError, match="two findings share an id"):
        decide_record_inspection(
            Inspection(), county(), checked(outlet("o-1", "p-io")), record(findings=(FINDING, FINDING)), TODAY
        )
    with pytest.raises(DomainError, match="in the future"):
        decide_record_inspection(
            Inspection(), county(), checked(outlet("o-1", "p-io")), record(on=date(2025, 8, 1)), TODAY
        )


def inspected() -> Inspection:
    return given(evolve_inspection, Inspection(), InspectionRecorded(**record().model_dump()))


def open_command(workdays: int = 3, unit: str = WUZHONG) -> OpenRectification:
    return OpenRectification(
        rectification_id="r-1",
        inspection_id="i-1",
        finding_id="f1",
        unit=unit,
        workdays=workdays,
        instructions="一周内更新内容",
    )


def opened(workdays: int = 3) -> RectificationOpened:
    (event,) = decide_open_rectification(
        Rectification(),
        inspected(),
        outlet("o-1", "p-io", CHANGQIAO),
        taken_by=None,
        command=open_command(workdays),
        now=OPENED_AT,
    )
    assert isinstance(event, RectificationOpened)
    return event


def test_the_deadline_counts_working_days_across_national_day_and_the_make_up_saturday() -> None:
    event = opened(workdays=3)
    # Thu 9 and Fri 10 Oct work after the holiday, then the make-up Saturday 11 Oct: due at its end.
    assert event.due_at == datetime(2025, 10, 11, 15, 59, 59, tzinfo=UTC)
    assert not event.deadline_estimated
    assert (event.unit, event.outlet_id, event.item) == (CHANGQIAO, "o-1", NegativeListItem.STALE_CONTENT)


def test_a_deadline_in_a_year_without_a_calendar_says_it_is_estimated() -> None:
    (event,) = decide_open_rectification(
        Rectification(),
        inspected(),
        outlet("o-1", "p-io"),
        taken_by=None,
        command=open_command(),
        now=datetime(2030, 12, 27, 2, 0, tzinfo=UTC),
    )
    assert isinstance(event, RectificationOpened)
    assert event.deadline_estimated


def test_one_rectification_per_finding_of_a_recorded_inspection() -> None:
    with pytest.raises(AlreadyExists, match="already has rectification r-0"):
        decide_open_rectification(
            Rectification(),
            inspected(),
            outlet("o-1", "p-io"),
            taken_by="r-0",
            command=open_command(),
            now=OPENED_AT,
        )
    with pytest.raises(NotFound, match="inspection i-1 is not in unit"):  # as one of another unit
        decide_open_rectification(
            Rectification(), Inspection(), Outlet(), taken_by=None, command=open_command(), now=OPENED_AT
        )
    with pytest.raises(NotFound, match="inspection i-1 is not in unit"):
        decide_open_rectification(
            Rectification(),
            inspected(),
            outlet("o-1", "p-io"),
            taken_by=None,
            command=open_command(unit=XIANGCHENG),
            now=OPENED_AT,
        )


def rectification(*later: DomainEvent) -> Rectification:
    return given(evolve_rectification, Rectification(), opened(), *later)


def close(*evidence: Evidence) -> CloseRectification:
    return CloseRectification(rectification_id="r-1", unit=WUZHONG, evidence=list(evidence), summary="已更新")


PHOTO = Evidence(description="更新后的页面截图", reference="IMG_0412.jpg")


def test_closing_without_evidence_is_refused() -> None:
    with pytest.raises(DomainError, match="cannot be closed without evidence") as refused:
        decide_close_rectification(rectification(), close(), OPENED_AT + timedelta(days=1))
    assert refused.value.field == "evidence"


def test_evidence_added_earlier_counts_when_closing_on_time() -> None:
    (added,) = decide_add_evidence(
        rectification(), AddRectificationEvidence(rectification_id="r-1", unit=WUZHONG, evidence=[PHOTO])
    )
    (closed,) = decide_close_rectification(rectification(added), close(), OPENED_AT + timedelta(days=1))
    assert closed.model_dump()["evidence"] == [PHOTO.model_dump()]
    assert closed.model_dump()["late"] is False
    with pytest.raises(DomainError, match="already closed"):
        decide_close_rectification(rectification(added, closed), close(PHOTO), OPENED_AT)


def test_the_deadline_timer_flags_an_open_rectification_once() -> None:
    due = opened().due_at
    assert decide_flag_overdue(rectification(), due - timedelta(seconds=1)) == []
    events = decide_flag_overdue(rectification(), due + timedelta(seconds=1))
    assert events == [RectificationOverdue(rectification_id="r-1", unit=CHANGQIAO, due_at=due)]
    assert decide_flag_overdue(rectification(*events), due + timedelta(days=1)) == []
    (closed,) = decide_close_rectification(rectification(), close(PHOTO), due - timedelta(hours=1))
    assert decide_flag_overdue(rectification(closed), due + timedelta(days=1)) == []


def test_closing_after_the_deadline_is_marked_late() -> None:
    due = opened().due_at
    overdue = RectificationOverdue(rectification_id="r-1", unit=CHANGQIAO, due_at=due)
    (closed,) = decide_close_rectification(rectification(overdue), close(PHOTO), due + timedelta(days=2))
    assert types([closed]) == ["RectificationClosed"]
    assert closed.model_dump()["late"] is True


def test_a_rectification_opened_after_the_fact_runs_its_deadline_from_when_it_was_opened() -> None:
    recorded = OPENED_AT + timedelta(days=60)
    command = open_command().model_copy(update={"occurred_at": OPENED_AT, "backdate_reason": "年底补录"})
    (event,) = decide_open_rectification(
        Rectification(),
        inspected(),
        outlet("o-1", "p-io", CHANGQIAO),
        taken_by=None,
        command=command,
        now=recorded,
    )
    assert isinstance(event, RectificationOpened)
    assert (event.opened_at, event.due_at) == (OPENED_AT, opened().due_at)
    unexplained = open_command().model_copy(update={"occurred_at": OPENED_AT})
    with pytest.raises(DomainError) as refused:
        decide_open_rectification(
            Rectification(),
            inspected(),
            outlet("o-1", "p-io", CHANGQIAO),
            taken_by=None,
            command=unexplained,
            now=recorded,
        )
    assert refused.value.field == "backdate_reason"


def test_a_rectification_closed_after_the_fact_is_late_only_by_when_it_was_closed() -> None:
    due = opened().due_at
    overdue = RectificationOverdue(
        rectification_id="r-1", unit=CHANGQIAO, due_at=due
    )  # the timer fired first
    on_time = close(PHOTO).model_copy(
        update={"occurred_at": due - timedelta(hours=2), "backdate_reason": "补录"}
    )
    (closed,) = decide_close_rectification(rectification(overdue), on_time, due + timedelta(days=40))
    assert closed.model_dump()["closed_at"] == due - timedelta(hours=2)
    assert closed.model_dump()["late"] is False
    before_opening = close(PHOTO).model_copy(update={"occurred_at": OPENED_AT - timedelta(hours=1)})
    with pytest.raises(DomainError) as refused:
        decide_close_rectification(rectification(), before_opening, OPENED_AT + timedelta(days=1))
    assert refused.value.field == "occurred_at"

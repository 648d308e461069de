"""Meeting rules, given/when/then: recorded once, for a registered unit, attendance at least the named
attendees, back-dated only with a reason; bulk rows each on their own with a per-row report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts.inputs import validate_input
from contracts.occurrence import BACKDATE_DAYS
from contracts.outreach_meetings import MeetingRecorded, RecordMeeting, RecordMeetings
from contracts.registry import DomainEvent
from services.eventkit.backdating import check_backdating, is_back_dated
from services.eventkit.bulkrows import report
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.outreach.domain.meetings import (
    Meeting,
    check_meeting_rows,
    decide_record_meeting,
    decide_record_meetings,
    evolve_meeting,
    import_meeting_id,
)

TODAY = date(2025, 6, 30)
NOW = datetime(2025, 6, 30, 4, tzinfo=UTC)
TOWNSHIP = "3205.320506.320506001"


def facts(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "situation_analysis",
        "held_on": "2025-06-20",
        "attendance": 9,
        "attendees": ["张明", "李华"],
        "chaired_by": "张明",
        "topics": ["上半年意识形态领域形势研判"],
        "decisions": ["加强网络舆情监测"],
    }
    return body | changes


def record(meeting_id: str = "mtg-0001", **changes: Any) -> RecordMeeting:
    body = {"meeting_id": meeting_id, "unit": TOWNSHIP, "facts": facts(**changes)}
    return validate_input(RecordMeeting, body, NOW)


def given(*events: DomainEvent) -> Meeting:
    meeting = Meeting()
    for event in events:
        meeting = evolve_meeting(meeting, event)
    return meeting


def test_a_meeting_is_recorded_with_when_it_was_held() -> None:
    (event,) = decide_record_meeting(Meeting(), True, TODAY, record())
    assert isinstance(event, MeetingRecorded)
    assert (event.meeting_id, event.unit, event.facts.held_on) == ("mtg-0001", TOWNSHIP, date(2025, 6, 20))
    assert event.facts.kind.value == "situation_analysis"


def test_a_meeting_is_recorded_once() -> None:
    recorded = decide_record_meeting(Meeting(), True, TODAY, record())
    with pytest.raises(AlreadyExists):
        decide_record_meeting(given(*recorded), True, TODAY, record())


def test_an_unregistered_unit_is_refused() -> None:
    with pytest.raises(NotFound) as refused:
        decide_record_meeting(Meeting(), False, TODAY, record())
    assert refused.value.field == "unit"


def test_attendance_below_the_named_attendees_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decide_record_meeting(Meeting(), True, TODAY, record(attendance=1))
    assert refused.value.field == "facts.attendance"


def test_a_chair_who_did_not_attend_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decide_record_meeting(Meeting(), True, TODAY, record(chaired_by="王强"))
    assert refused.value.field == "facts.chaired_by"


def test_a_meeting_held_in_the_future_is_refused_at_the_door() -> None:
    with pytest.raises(ValueError, match="in the future"):
        record(held_on="2025-07-09")


def test_back_dated_beyond_the_window_needs_a_reason() -> None:
    old = "2025-03-10"  # 112 days before TODAY
    with pytest.raises(DomainError) as refused:
        decide_record_meeting(Meeting(), True, TODAY, record(held_on=old))
    assert refused.value.field == "backdate_reason"
    assert str(BACKDATE_DAYS) in refused.value.message
    (event,) = decide_record_meeting(
        Meeting(), True, TODAY, record(held_on=old, backdate_reason="年底补录台账")
    )
    assert isinstance(event, MeetingRecorded)
    assert event.facts.backdate_reason == "年底补录台账"


def test_the_back_dating_window_is_inclusive_of_its_last_day() -> None:
    edge = date.fromordinal(TODAY.toordinal() - BACKDATE_DAYS)
    check_backdating(edge, TODAY, None, field="held_on")  # exactly BACKDATE_DAYS back: no reason needed
    assert not is_back_dated(edge, TODAY)
    assert is_back_dated(date.fromordinal(edge.toordinal() - 1), TODAY)


def bulk(*rows: dict[str, Any]) -> RecordMeetings:
    return RecordMeetings(source="office-ledger", unit="3205.320506", rows=list(rows))


def row(external_id: str, number: int, **changes: Any) -> dict[str, Any]:
    return {"row": number, "external_id": external_id, "unit": TOWNSHIP, "facts": facts(**changes)}


def test_bulk_rows_are_reported_one_by_one_and_good_rows_kept() -> None:
    command = bulk(
        row("M-1", 2),
        row("M-2", 3, kind="picnic"),
        row("M-3", 4, held_on="2025-01-05"),  # back-dated without a reason
        row("M-1", 5),  # the first row again
        {"row": 6, "external_id": "M-4", "unit": "3205.320507.320507001", "facts": facts()},  # other county
        row("M-5", 7, held_on="2025-01-05", backdate_reason="补录"),
    )
    good, failed = check_meeting_rows(command, NOW)
    already = {import_meeting_id("office-ledger", "M-5"): given()}  # read, but never recorded
    decisions, outcomes = decide_record_meetings(
        command.source, good, meetings=already, known_units={TOWNSHIP}, today=TODAY
    )
    result = report(outcomes + failed)
    assert (result["imported"], result["duplicate"], result["failed"]) == (2, 1, 3)
    by_row = {r["row"]: r for r in result["rows"]}
    assert [e["field"] for e in by_row[3]["errors"]] == ["facts.kind"]
    assert [e["field"] for e in by_row[4]["errors"]] == ["backdate_reason"]
    assert [e["field"] for e in by_row[6]["errors"]] == ["unit"]
    assert by_row[5]["status"] == "duplicate"
    assert by_row[5]["meeting_id"] == import_meeting_id("office-ledger", "M-1")
    assert [d.record_id for d in decisions] == [
        import_meeting_id("office-ledger", "M-1"),
        import_meeting_id("office-ledger", "M-5"),
    ]


def test_a_bulk_row_recorded_before_is_a_duplicate() -> None:
    command = bulk(row("M-1", 2))
    good, _ = check_meeting_rows(command, NOW)
    (earlier,) = decide_record_meeting(Meeting(), True, TODAY, record(good[0].record_id))
    decisions, outcomes = decide_record_meetings(
        command.source,
        good,
        meetings={good[0].record_id: given(earlier)},
        known_units={TOWNSHIP},
        today=TODAY,
    )
    assert decisions == []
    assert [o.status.value for o in outcomes] == ["duplicate"]

"""Meeting rules, pure: no I/O, no clock (``today`` is passed in, in Asia/Shanghai).

A meeting is recorded once, for a registered unit, on a day that has come (the door refuses the
future); recorded more than BACKDATE_DAYS after it was held it needs a reason. Bulk records check each
row on its own (rows.py) and report a row seen before as a duplicate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from contracts.outreach_meetings import (
    MeetingFacts,
    MeetingRecorded,
    MeetingRow,
    RecordMeeting,
    RecordMeetings,
)
from contracts.registry import DomainEvent
from services.eventkit.backdating import check_backdating
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.eventkit.unitlife import KnownUnit, check_not_retired
from services.outreach.domain.rows import (
    CheckedRow,
    RowOutcome,
    RowStatus,
    check_batch,
    imported_id,
    row_error,
)

ID_NAME = "meeting_id"


@dataclass(frozen=True)
class Meeting:
    meeting_id: str | None = None
    unit: str | None = None
    facts: MeetingFacts | None = None
    external_id: str | None = None

    @property
    def recorded(self) -> bool:
        return self.facts is not None


def evolve_meeting(meeting: Meeting, event: DomainEvent) -> Meeting:
    if isinstance(event, MeetingRecorded):
        return Meeting(event.meeting_id, event.unit, event.facts, event.external_id)
    return meeting


def check_meeting(facts: MeetingFacts, today: date) -> None:
    """What must hold for any recorded meeting, whether recorded one by one or in bulk."""
    if facts.attendance < len(facts.attendees):
        raise DomainError(
            f"attendance {facts.attendance} is less than the {len(facts.attendees)} named attendees",
            field="facts.attendance",
            rule="attendance_below_attendees",
            params={"attendance": facts.attendance, "named": len(facts.attendees)},
        )
    if facts.chaired_by and facts.attendees and facts.chaired_by not in facts.attendees:
        raise DomainError(
            f"{facts.chaired_by} chaired but is not among the attendees", field="facts.chaired_by"
        )
    check_backdating(facts.held_on, today, facts.backdate_reason, field="facts.held_on")


def decide_record_meeting(
    meeting: Meeting,
    unit_known: bool,
    today: date,
    command: RecordMeeting,
    *,
    source: str | None = None,
    external_id: str | None = None,
) -> list[DomainEvent]:
    """Record a held meeting once, for a registered unit."""
    if meeting.recorded:
        raise AlreadyExists(f"meeting {command.meeting_id} is already recorded", field="meeting_id")
    if not unit_known:
        raise NotFound(f"unit {command.unit} is not registered", field="unit")
    check_meeting(command.facts, today)
    recorded = MeetingRecorded(
        meeting_id=command.meeting_id,
        unit=command.unit,
        facts=command.facts,
        source=source,
        external_id=external_id,
    )
    return [recorded]


def import_meeting_id(source: str, external_id: str) -> str:
    """A stable meeting id for a source's record."""
    return imported_id("mtg", source, external_id)


def check_meeting_rows(
    command: RecordMeetings, now: datetime
) -> tuple[list[CheckedRow[MeetingRow]], list[RowOutcome]]:
    """Rows that pass the door as MeetingRow and lie in the batch's unit, and a failure for the rest."""
    return check_batch(MeetingRow, command, now, import_meeting_id, ID_NAME)


@dataclass(frozen=True)
class MeetingDecision:
    meeting_id: str
    unit: str
    events: list[DomainEvent]


def decide_record_meetings(
    source: str,
    rows: list[CheckedRow[MeetingRow]],
    *,
    meetings: Mapping[str, Meeting],
    known_units: set[str],
    today: date,
    retired: Mapping[str, KnownUnit] | None = None,
) -> tuple[list[MeetingDecision], list[RowOutcome]]:
    """Which rows become meetings: a row whose meeting is already recorded (before, or earlier in this
    batch) is a duplicate. Returns the decisions and an outcome for every good row."""
    decisions: list[MeetingDecision] = []
    outcomes: list[RowOutcome] = []
    taken = {meeting_id for meeting_id, meeting in meetings.items() if meeting.recorded}
    for checked in rows:
        row, meeting_id = checked.row, checked.record_id
        if meeting_id in taken:
            outcomes.append(
                RowOutcome(checked.number, RowStatus.DUPLICATE, row.external_id, meeting_id, id_name=ID_NAME)
            )
            continue
        command = RecordMeeting(meeting_id=meeting_id, unit=row.unit, facts=row.facts)
        try:
            if (gone := (retired or {}).get(row.unit)) is not None:
                check_not_retired(gone, row.facts.held_on, gone.successor, "unit")
            events = decide_record_meeting(
                Meeting(), row.unit in known_units, today, command, source=source, external_id=row.external_id
            )
        except DomainError as error:
            problem = row_error(error.field or "row", error.message)
            outcomes.append(
                RowOutcome(
                    checked.number, RowStatus.FAILED, row.external_id, errors=[problem], id_name=ID_NAME
                )
            )
            continue
        taken.add(meeting_id)
        decisions.append(MeetingDecision(meeting_id, row.unit, events))
        outcomes.append(
            RowOutcome(checked.number, RowStatus.IMPORTED, row.external_id, meeting_id, id_name=ID_NAME)
        )
    return decisions, outcomes

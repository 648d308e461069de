"""The meetings view: every recorded meeting, counts per unit, kind and local month of when it was held
(own and rolled up), and the audit list of back-dated entries (补录) that any record can add to."""

from __future__ import annotations

from datetime import date

from contracts.outreach_meetings import MeetingRecorded
from services.eventkit.backdating import days_back, is_back_dated
from services.eventkit.localtime import local_date
from services.eventkit.projector import Delivered, Projector
from services.eventkit.readmodel import Batch, Counter, ReadModel, Rows, on
from services.eventkit.runtime import QueryHandler

MEETINGS = Rows(
    "outreach_meetings",
    (
        ("meeting_id", "text"),
        ("unit", "text"),
        ("kind", "text"),
        ("held_on", "date"),
        ("attendance", "int"),
        ("facts", "jsonb"),
        ("source", "text"),
        ("external_id", "text"),
        ("recorded_at", "timestamptz"),
    ),
    on_conflict="(meeting_id) DO NOTHING",
    as_text=frozenset({"facts"}),
)
MEETING_MONTHLY = Counter(
    "meeting_monthly", (("path", "text"), ("month", "date"), ("kind", "text")), ("meetings", "attendance")
)
BACKDATED = Rows(
    "backdated_entries",
    (
        ("record_type", "text"),
        ("record_id", "text"),
        ("unit", "text"),
        ("happened_on", "date"),
        ("recorded_at", "timestamptz"),
        ("days_back", "int"),
        ("reason", "text"),
    ),
    on_conflict="(record_type, record_id) DO NOTHING",
)


def note_if_back_dated(
    batch: Batch, delivered: Delivered, record_id: str, unit: str, *, happened_on: date, reason: str | None
) -> None:
    """Add the entry to the audit list when it was recorded more than BACKDATE_DAYS after it happened."""
    recorded_at = delivered.envelope.time
    recorded_on = local_date(recorded_at)
    if is_back_dated(happened_on, recorded_on):
        days = days_back(happened_on, recorded_on)
        batch.row(BACKDATED, delivered.envelope.type, record_id, unit, happened_on, recorded_at, days, reason)


class MeetingsProjector(ReadModel):
    name = "meetings"

    @on(MeetingRecorded)
    def recorded(self, batch: Batch, event: MeetingRecorded, delivered: Delivered) -> None:
        facts = event.facts
        month = facts.held_on.replace(day=1)
        batch.count(MEETING_MONTHLY, event.unit, (month, facts.kind.value), (1, facts.attendance))
        batch.row(
            MEETINGS,
            event.meeting_id,
            event.unit,
            facts.kind.value,
            facts.held_on,
            facts.attendance,
            facts.model_dump_json(),
            event.source,
            event.external_id,
            delivered.envelope.time,
        )
        note_if_back_dated(
            batch,
            delivered,
            event.meeting_id,
            event.unit,
            happened_on=facts.held_on,
            reason=facts.backdate_reason,
        )


PROJECTORS: list[Projector] = [MeetingsProjector()]
QUERIES: dict[str, QueryHandler] = {}

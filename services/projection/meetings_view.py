"""The meetings view: every recorded meeting, and counts per unit, kind and local month of when it was
held (own and rolled up); a back-dated one goes on the audit list (backdating_view.py)."""

from __future__ import annotations

from contracts.outreach_meetings import MeetingRecorded, MeetingTargetSet
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, Counter, Rows, on, replacing
from services.projection.backdating_view import note_if_back_dated

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


TARGET_COLUMNS = (
    ("unit", "text"),
    ("year", "int"),
    ("kind", "text"),
    ("cadence", "text"),
    ("count", "int"),
    ("revision", "int"),
    ("reason", "text"),
    ("set_at", "timestamptz"),
)
TARGET_KEY = ("unit", "year", "kind", "cadence")
TARGETS = Rows(
    "meeting_targets",
    TARGET_COLUMNS,
    on_conflict=replacing(TARGET_KEY, (name for name, _ in TARGET_COLUMNS)),
    key=TARGET_KEY,
)


class MeetingHandlers:
    """Meetings and meeting targets (folded by records_projector.RecordsProjector)."""

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

    @on(MeetingTargetSet)
    def target_set(self, batch: Batch, event: MeetingTargetSet, delivered: Delivered) -> None:
        values = (event.unit, event.year, event.kind.value, event.cadence.value, event.count, event.revision)
        batch.put(
            TARGETS, dict(zip(TARGETS.names, (*values, event.reason, delivered.envelope.time), strict=True))
        )

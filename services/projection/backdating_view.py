"""The audit list of back-dated entries (补录): every fact recorded more than BACKDATE_DAYS after it
happened, whatever record it is — meetings (noted by their view), opinion case steps and publication
stages (noted here from the time and reason their events carry)."""

from __future__ import annotations

from datetime import date, datetime

from contracts.opinion import CaseEvent
from contracts.outreach import PublicationReviewed, PublicationRevised, PublicationSubmitted
from contracts.outreach_proofreads import PublicationProofread
from contracts.registry import REGISTRY, DomainEvent
from services.eventkit.backdating import days_back, is_back_dated
from services.eventkit.localtime import local_date
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, Rows, on

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


STATED_EVENTS: tuple[type[DomainEvent], ...] = (
    *(m for m in REGISTRY.models() if issubclass(m, CaseEvent)),
    PublicationSubmitted,
    PublicationReviewed,
    PublicationRevised,
    PublicationProofread,
)


class BackdatingHandlers:
    """Back-dated case steps and publication stages (folded by records_projector.RecordsProjector)."""

    @on(*STATED_EVENTS)
    def stated(self, batch: Batch, event: DomainEvent, delivered: Delivered) -> None:
        happened = getattr(event, "occurred_at", None)
        if not isinstance(happened, datetime):
            return  # recorded when it happened: nothing to audit
        record_id = str(getattr(event, "case_id", None) or getattr(event, "publication_id", ""))
        unit = delivered.envelope.unitpath
        reason = getattr(event, "backdate_reason", None)
        note_if_back_dated(batch, delivered, record_id, unit, happened_on=local_date(happened), reason=reason)

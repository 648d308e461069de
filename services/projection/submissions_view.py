"""The submissions view: every item sent upward (信息报送) and every adoption (录用), counts per unit,
local month and level (own and rolled up), and the quotas; back-dated ones go on the audit list.
Queries are in submissions_queries.py."""

from __future__ import annotations

from contracts.outreach_submissions import QuotaSet, SubmissionAdopted, SubmissionRecorded
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, Counter, Rows, on, replacing
from services.projection.backdating_view import note_if_back_dated

SUBMISSIONS = Rows(
    "outreach_submissions",
    (
        ("submission_id", "text"),
        ("unit", "text"),
        ("title", "text"),
        ("submitted_on", "date"),
        ("level", "text"),
        ("recipient", "text"),
        ("recorded_at", "timestamptz"),
    ),
    on_conflict="(submission_id) DO NOTHING",
)
ADOPTIONS = Rows(
    "submission_adoptions",
    (
        ("submission_id", "text"),
        ("outlet", "text"),
        ("unit", "text"),
        ("level", "text"),
        ("adopted_on", "date"),
        ("recorded_at", "timestamptz"),
    ),
    on_conflict="(submission_id, outlet) DO NOTHING",
)
SUBMISSION_MONTHLY = Counter(
    "submission_monthly", (("path", "text"), ("month", "date"), ("level", "text")), ("submitted", "adopted")
)
QUOTA_COLUMNS = (
    ("unit", "text"),
    ("year", "int"),
    ("measure", "text"),
    ("cadence", "text"),
    ("count", "int"),
    ("revision", "int"),
    ("reason", "text"),
    ("set_at", "timestamptz"),
)
QUOTA_KEY = ("unit", "year", "measure", "cadence")
QUOTAS = Rows(
    "outreach_quotas",
    QUOTA_COLUMNS,
    on_conflict=replacing(QUOTA_KEY, (name for name, _ in QUOTA_COLUMNS)),
    key=QUOTA_KEY,
)


class SubmissionHandlers:
    """Submissions, adoptions and quotas (folded by records_projector.RecordsProjector)."""

    @on(SubmissionRecorded)
    def submitted(self, batch: Batch, event: SubmissionRecorded, delivered: Delivered) -> None:
        month = event.submitted_on.replace(day=1)
        batch.count(SUBMISSION_MONTHLY, event.unit, (month, event.level.value), (1, 0))
        sent = (event.title, event.submitted_on, event.level.value, event.recipient)
        batch.row(SUBMISSIONS, event.submission_id, event.unit, *sent, delivered.envelope.time)
        reason = event.backdate_reason
        note_if_back_dated(
            batch, delivered, event.submission_id, event.unit, happened_on=event.submitted_on, reason=reason
        )

    @on(SubmissionAdopted)
    def adopted(self, batch: Batch, event: SubmissionAdopted, delivered: Delivered) -> None:
        month = event.adopted_on.replace(day=1)
        batch.count(SUBMISSION_MONTHLY, event.unit, (month, event.level.value), (0, 1))
        adoption = (event.unit, event.level.value, event.adopted_on, delivered.envelope.time)
        batch.row(ADOPTIONS, event.submission_id, event.outlet, *adoption)
        # One audit row per adopted item and outlet: the record id names both.
        record_id = f"{event.submission_id}@{event.outlet}"
        reason = event.backdate_reason
        note_if_back_dated(
            batch, delivered, record_id, event.unit, happened_on=event.adopted_on, reason=reason
        )

    @on(QuotaSet)
    def quota_set(self, batch: Batch, event: QuotaSet, delivered: Delivered) -> None:
        values = (
            event.unit,
            event.year,
            event.measure.value,
            event.cadence.value,
            event.count,
            event.revision,
        )
        batch.put(
            QUOTAS, dict(zip(QUOTAS.names, (*values, event.reason, delivered.envelope.time), strict=True))
        )

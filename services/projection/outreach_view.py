"""The outreach view: activities with their history, counts per unit, kind and local month (own and
rolled up), targets, outlets and publications. Queries are in outreach_queries.py.

Corrections and voids carry the facts before and after, so counts are adjusted from the event alone."""

from __future__ import annotations

from contracts.duty import OutletRegistered, OutletRelocated, OutletStatusChanged
from contracts.outreach import (
    FACT_FIELDS,
    ActivityCorrected,
    ActivityFacts,
    ActivityLogged,
    ActivityVoided,
    PublicationPublished,
    PublicationReviewed,
    PublicationRevised,
    PublicationStatus,
    PublicationSubmitted,
    PublicationViewsRecorded,
    TargetSet,
    status_after_review,
)
from contracts.outreach_proofreads import PublicationProofread
from contracts.registry import REGISTRY, DomainEvent
from services.eventkit.projector import Delivered, Projector
from services.eventkit.queries import QuerySpec
from services.eventkit.readmodel import Batch, Counter, ReadModel, Rows, on, replacing
from services.projection.outreach_queries import QUERIES as OUTREACH_QUERIES
from services.projection.taxonomy_view import count_subtype

OUTREACH_EVENTS = tuple(m for m in REGISTRY.models() if m.event_type.startswith("outreach."))
# ``include`` takes a set; the facts are the ActivityFacts fields, which ActivityLogged also has.
FACT_FIELD_SET = set(FACT_FIELDS)
MONTHLY = Counter(
    "outreach_monthly", (("path", "text"), ("month", "date"), ("kind", "text")), ("activities", "audience")
)
HISTORY = Rows(
    "outreach_history",
    (
        ("stream", "text"),
        ("seq", "bigint"),
        ("event_type", "text"),
        ("at", "timestamptz"),
        ("actor", "text"),
        ("data", "jsonb"),
    ),
    as_text=frozenset({"data"}),
)
ACTIVITIES = Rows(
    "outreach_activities",
    (
        ("activity_id", "text"),
        ("unit", "text"),
        ("kind", "text"),
        ("topic", "text"),
        ("held_on", "date"),
        ("audience", "int"),
        ("facts", "jsonb"),
        ("source", "text"),
        ("external_id", "text"),
        ("logged_at", "timestamptz"),
        ("updated_at", "timestamptz"),
    ),
    on_conflict="(activity_id) DO NOTHING",
    as_text=frozenset({"facts"}),
)
TARGET_COLUMNS = (
    ("unit", "text"),
    ("year", "int"),
    ("kind", "text"),
    ("cadence", "text"),
    ("count", "int"),
    ("audience", "int"),
    ("scope", "text"),
    ("revision", "int"),
    ("reason", "text"),
    ("set_at", "timestamptz"),
)
TARGET_KEY = ("unit", "year", "kind", "cadence")
TARGETS = Rows(
    "outreach_targets",
    TARGET_COLUMNS,
    on_conflict=replacing(TARGET_KEY, (name for name, _ in TARGET_COLUMNS)),
    key=TARGET_KEY,
)
PUBLICATIONS = Rows(
    "outreach_publications",
    (
        ("publication_id", "text"),
        ("unit", "text"),
        ("kind", "text"),
        ("title", "text"),
        ("outlet_id", "text"),
        ("column_name", "text"),
        ("status", "text"),
        ("submitted_by", "text"),
        ("submitted_at", "timestamptz"),
        ("updated_at", "timestamptz"),
    ),
    on_conflict="(publication_id) DO NOTHING",
)
PUBLICATION_UPDATE = "UPDATE {s}.outreach_publications SET updated_at = $2, "


def count_facts(batch: Batch, unit: str, facts: ActivityFacts, sign: int) -> None:
    month = facts.held_on.replace(day=1)
    batch.count(MONTHLY, unit, (month, facts.kind.value), (sign, sign * facts.audience))
    count_subtype(batch, unit, facts, sign)


class OutreachProjector(ReadModel):
    name = "outreach"

    @on(*OUTREACH_EVENTS)
    def history(self, batch: Batch, _: DomainEvent, delivered: Delivered) -> None:
        envelope = delivered.envelope
        batch.row(
            HISTORY,
            envelope.subject,
            delivered.seq,
            envelope.type,
            envelope.time,
            envelope.actor,
            delivered.event_json,
        )

    @on(ActivityLogged)
    def logged(self, batch: Batch, event: ActivityLogged, delivered: Delivered) -> None:
        # The facts are read off the event and serialized by pydantic, not rebuilt as an ActivityFacts
        # model: the most frequent event of all, and a model round trip each was a third of its fold.
        month = event.held_on.replace(day=1)
        batch.count(MONTHLY, event.unit, (month, event.kind.value), (1, event.audience))
        count_subtype(batch, event.unit, event, 1)
        at = delivered.envelope.time
        batch.row(
            ACTIVITIES,
            event.activity_id,
            event.unit,
            event.kind.value,
            event.topic,
            event.held_on,
            event.audience,
            event.model_dump_json(include=FACT_FIELD_SET),
            event.source,
            event.external_id,
            at,
            at,
        )

    @on(ActivityCorrected)
    def corrected(self, batch: Batch, event: ActivityCorrected, delivered: Delivered) -> None:
        count_facts(batch, event.unit, event.before, -1)
        count_facts(batch, event.unit, event.after, 1)
        after = event.after
        batch.change(
            ACTIVITIES.table,
            "UPDATE {s}.outreach_activities SET kind = $2, topic = $3, held_on = $4, audience = $5, facts = $6,"
            " corrections = corrections + 1, updated_at = $7 WHERE activity_id = $1",
            event.activity_id,
            after.kind.value,
            after.topic,
            after.held_on,
            after.audience,
            after.model_dump(mode="json"),
            delivered.envelope.time,
        )

    @on(ActivityVoided)
    def voided(self, batch: Batch, event: ActivityVoided, delivered: Delivered) -> None:
        count_facts(batch, event.unit, event.facts, -1)
        batch.change(
            ACTIVITIES.table,
            "UPDATE {s}.outreach_activities SET voided = true, updated_at = $2 WHERE activity_id = $1",
            event.activity_id,
            delivered.envelope.time,
        )

    @on(TargetSet)
    def target_set(self, batch: Batch, event: TargetSet, delivered: Delivered) -> None:
        values = (
            event.unit,
            event.year,
            event.kind.value,
            event.cadence.value,
            event.count,
            event.audience,
            event.scope.value,
            event.revision,
            event.reason,
            delivered.envelope.time,
        )
        batch.put(TARGETS, dict(zip(TARGETS.names, values, strict=True)))

    @on(OutletRegistered)
    def outlet_registered(self, batch: Batch, event: OutletRegistered, delivered: Delivered) -> None:
        # An ordered change, not a row: relocations and status changes in the same batch must follow it.
        batch.change(
            "outreach_outlets",
            "INSERT INTO {s}.outreach_outlets (outlet_id, unit, kind, name, status, updated_at)"
            " VALUES ($1, $2, $3, $4, 'active', $5) ON CONFLICT (outlet_id) DO UPDATE SET unit = excluded.unit,"
            " kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at",
            event.outlet_id,
            event.unit,
            event.kind.value,
            event.name,
            delivered.envelope.time,
        )

    @on(OutletRelocated)
    def outlet_relocated(self, batch: Batch, event: OutletRelocated, delivered: Delivered) -> None:
        batch.change(
            "outreach_outlets",
            "UPDATE {s}.outreach_outlets SET unit = $2, updated_at = $3 WHERE outlet_id = $1",
            event.outlet_id,
            event.to_unit,
            delivered.envelope.time,
        )

    @on(OutletStatusChanged)
    def outlet_status_changed(self, batch: Batch, event: OutletStatusChanged, delivered: Delivered) -> None:
        batch.change(
            "outreach_outlets",
            "UPDATE {s}.outreach_outlets SET status = $2, updated_at = $3 WHERE outlet_id = $1",
            event.outlet_id,
            event.status.value,
            delivered.envelope.time,
        )

    @on(PublicationSubmitted)
    def submitted(self, batch: Batch, event: PublicationSubmitted, delivered: Delivered) -> None:
        at = event.occurred_at or delivered.envelope.time
        status = PublicationStatus.AWAITING_FIRST.value
        batch.row(
            PUBLICATIONS,
            event.publication_id,
            event.unit,
            event.kind.value,
            event.title,
            event.outlet_id,
            event.column,
            status,
            event.submitted_by,
            at,
            at,
        )

    @on(PublicationReviewed)
    def reviewed(self, batch: Batch, event: PublicationReviewed, delivered: Delivered) -> None:
        review = {"reviewer": event.reviewer, "decision": event.decision.value, "comments": event.comments}
        batch.change(
            PUBLICATIONS.table,
            PUBLICATION_UPDATE + "status = $3, reviews = reviews || jsonb_build_object($4::text, $5::jsonb)"
            " WHERE publication_id = $1",
            event.publication_id,
            delivered.envelope.time,
            status_after_review(event.stage, event.decision).value,
            event.stage.value,
            review,
        )

    @on(PublicationRevised)
    def revised(self, batch: Batch, event: PublicationRevised, delivered: Delivered) -> None:
        batch.change(
            PUBLICATIONS.table,
            PUBLICATION_UPDATE
            + "status = $3, round = $4, title = $5, outlet_id = $6, reviews = '{}', proofreads = '{}'"
            " WHERE publication_id = $1",
            event.publication_id,
            delivered.envelope.time,
            PublicationStatus.AWAITING_FIRST.value,
            event.round,
            event.title,
            event.outlet_id,
        )

    @on(PublicationProofread)
    def proofread(self, batch: Batch, event: PublicationProofread, delivered: Delivered) -> None:
        done = {"proofreader": event.proofreader, "corrections": event.corrections}
        batch.change(
            PUBLICATIONS.table,
            PUBLICATION_UPDATE + "proofreads = proofreads || jsonb_build_object($3::text, $4::jsonb)"
            " WHERE publication_id = $1",
            event.publication_id,
            delivered.envelope.time,
            str(event.proofread),
            done,
        )

    @on(PublicationPublished)
    def published(self, batch: Batch, event: PublicationPublished, delivered: Delivered) -> None:
        batch.change(
            PUBLICATIONS.table,
            PUBLICATION_UPDATE
            + "status = $3, published_on = $4, url = $5, outlet_id = $6 WHERE publication_id = $1",
            event.publication_id,
            delivered.envelope.time,
            PublicationStatus.PUBLISHED.value,
            event.published_on,
            event.url,
            event.outlet_id,
        )

    @on(PublicationViewsRecorded)
    def views_recorded(self, batch: Batch, event: PublicationViewsRecorded, delivered: Delivered) -> None:
        batch.change(
            PUBLICATIONS.table,
            PUBLICATION_UPDATE + "views = $3 WHERE publication_id = $1",
            event.publication_id,
            delivered.envelope.time,
            event.views,
        )


PROJECTORS: list[Projector] = [OutreachProjector()]
QUERIES: list[QuerySpec] = OUTREACH_QUERIES

"""Publication rules under 三审三校, pure: no I/O, no clock (``today`` is passed in).

submitted → first review (初审) → second (复审) → third (终审, a leader) → published on an active,
registered outlet → views counted. Any stage may send the piece back with comments; the revised piece
starts a new round and goes through all three stages again. Within a round no person signs two
stages, and whoever wrote or revised the piece signs none. The three proofreads (三校) are stages of the
same life (proofreads.py); once a piece's proofreading has begun, it is published only after all three
of its latest round — a piece never proofread is published as before, and the summary counts it apart."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from contracts.commands import Role
from contracts.outreach import (
    PublicationPublished,
    PublicationReviewed,
    PublicationRevised,
    PublicationStatus,
    PublicationSubmitted,
    PublicationViewsRecorded,
    Publish,
    RecordViews,
    ReviewDecision,
    ReviewPublication,
    ReviewStage,
    RevisePublication,
    SubmitPublication,
    status_after_review,
)
from contracts.outreach_proofreads import PROOFREADS, ProofreadPublication, PublicationProofread
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.eventkit.backdating import check_backdating, happened_at
from services.eventkit.errors import AlreadyExists, DomainError, Forbidden, NotFound
from services.eventkit.localtime import local_date

AWAITING = {
    PublicationStatus.AWAITING_FIRST: ReviewStage.FIRST,
    PublicationStatus.AWAITING_SECOND: ReviewStage.SECOND,
    PublicationStatus.AWAITING_THIRD: ReviewStage.THIRD,
}
STAGE_NAMES = {ReviewStage.FIRST: "初审", ReviewStage.SECOND: "复审", ReviewStage.THIRD: "终审"}


@dataclass(frozen=True)
class Outlet:
    """An outlet as outreach learned it from duty's events."""

    outlet_id: str
    unit: str
    status: str  # active | suspended | closed
    effective_on: date


@dataclass(frozen=True)
class Publication:
    publication_id: str | None = None
    unit: str | None = None
    title: str = ""
    summary: str | None = None
    manuscript: str | None = None
    outlet_id: str = ""
    status: PublicationStatus | None = None
    round: int = 1
    authors: frozenset[str] = frozenset()  # who submitted or revised it: they sign no review
    signers: dict[ReviewStage, str] = field(default_factory=dict)  # this round's approvals
    proofreaders: dict[int, str] = field(default_factory=dict)  # this round's proofreads: number → who
    proofreading_begun: bool = False  # in any round: from then on, all three before publishing
    views: int = 0
    last_stage_at: datetime | None = None  # when its latest stage (submission, review, revision) happened

    @property
    def submitted(self) -> bool:
        return self.status is not None


def evolve_publication(publication: Publication, event: DomainEvent) -> Publication:
    if isinstance(event, PublicationProofread):
        proofreaders = {**publication.proofreaders, event.proofread: event.proofreader}
        after = replace(publication, proofreaders=proofreaders, proofreading_begun=True)
    else:
        after = _apply(publication, event)
    at = getattr(event, "occurred_at", None)
    return replace(after, last_stage_at=at) if at is not None else after


def _apply(publication: Publication, event: DomainEvent) -> Publication:
    if isinstance(event, PublicationSubmitted):
        return Publication(
            publication_id=event.publication_id,
            unit=event.unit,
            title=event.title,
            summary=event.summary,
            manuscript=event.manuscript,
            outlet_id=event.outlet_id,
            status=PublicationStatus.AWAITING_FIRST,
            authors=frozenset({event.submitted_by}),
        )
    if isinstance(event, PublicationReviewed):
        signers = dict(publication.signers)
        if event.decision is ReviewDecision.APPROVE:
            signers[event.stage] = event.reviewer
        return replace(publication, status=status_after_review(event.stage, event.decision), signers=signers)
    if isinstance(event, PublicationRevised):
        return replace(
            publication,
            title=event.title,
            summary=event.summary,
            manuscript=event.manuscript,
            outlet_id=event.outlet_id,
            status=PublicationStatus.AWAITING_FIRST,
            round=event.round,
            authors=publication.authors | {event.revised_by},
            signers={},
            proofreaders={},
        )
    if isinstance(event, PublicationPublished):
        return replace(publication, status=PublicationStatus.PUBLISHED, outlet_id=event.outlet_id)
    if isinstance(event, PublicationViewsRecorded):
        return replace(publication, views=event.views)
    return publication


def check_outlet(outlet: Outlet | None, outlet_id: str, unit: str) -> Outlet:
    """An outlet the unit may use now: registered, active, and on the unit's own line (its own, one
    above it, or one below it — never a sibling's, whose owner answers for what it carries)."""
    # A sibling's outlet (perhaps outside the actor's scope) is answered like a missing one.
    if outlet is None or not (is_within(unit, outlet.unit) or is_within(outlet.unit, unit)):
        raise NotFound(
            f"unit {unit} has no outlet {outlet_id} on its line", field="outlet_id", rule="outlet_not_on_line"
        )
    if outlet.status != "active":
        raise DomainError(
            f"outlet {outlet_id} is {outlet.status}; only an active outlet can carry it",
            field="outlet_id",
            rule="outlet_not_active",
        )
    return outlet


def stage_time(
    publication: Publication,
    command: SubmitPublication | ReviewPublication | RevisePublication | ProofreadPublication,
    now: datetime,
) -> datetime:
    """When the stage a command records happened: as stated, else now; never before the previous stage."""
    return happened_at(
        command.occurred_at,
        now,
        command.backdate_reason,
        not_before=publication.last_stage_at,
        follows="the publication's previous stage",
    )


def stamped(
    events: list[DomainEvent],
    at: datetime,
    command: SubmitPublication | ReviewPublication | RevisePublication | ProofreadPublication,
) -> list[DomainEvent]:
    """The stage's event saying when it happened (and why late, if it was back-dated)."""
    update = {"occurred_at": at, "backdate_reason": command.backdate_reason}
    return [event.model_copy(update=update) for event in events]


def decide_submit(
    publication: Publication, unit_known: bool, outlet: Outlet | None, author: str, command: SubmitPublication
) -> list[DomainEvent]:
    """Submit a piece for its first review, meant for a usable outlet."""
    if publication.submitted:
        raise AlreadyExists(
            f"publication {command.publication_id} is already submitted", field="publication_id"
        )
    if not unit_known:
        raise NotFound(f"unit {command.unit} is not registered", field="unit")
    check_outlet(outlet, command.outlet_id, command.unit)
    return [PublicationSubmitted(**command.model_dump(), submitted_by=author)]


def existing_status(publication: Publication, publication_id: str, unit: str) -> PublicationStatus:
    if (
        publication.status is None or publication.unit != unit
    ):  # one answer: another unit's may be out of scope
        raise NotFound(f"unit {unit} has no publication {publication_id}", field="publication_id")
    return publication.status


def decide_review(
    publication: Publication, reviewer: str, roles: Collection[Role], command: ReviewPublication
) -> list[DomainEvent]:
    """Sign (or send back) the stage the piece is waiting for, as a person who signed no other stage."""
    status = existing_status(publication, command.publication_id, command.unit)
    expected = AWAITING.get(status)
    if expected is None:
        raise DomainError(
            f"publication {command.publication_id} is {status.value}, not waiting for a review",
            field="stage",
            rule="review_not_waiting",
        )
    if command.stage is not expected:
        raise DomainError(
            f"publication {command.publication_id} is waiting for {STAGE_NAMES[expected]} ({expected.value}), "
            f"not {STAGE_NAMES[command.stage]}",
            field="stage",
            rule="review_stage_moved",
        )
    if reviewer in publication.authors:
        raise Forbidden(
            "whoever wrote or revised a piece cannot review it", field="actor", rule="author_cannot_review"
        )
    signed = [stage for stage, person in publication.signers.items() if person == reviewer]
    if signed:
        raise Forbidden(
            f"you signed {STAGE_NAMES[signed[0]]} already; each of the three reviews needs a different person",
            field="actor",
            rule="reviewer_signed_other_stage",
        )
    if command.stage is ReviewStage.THIRD and Role.LEADER not in roles:
        raise Forbidden(
            "终审 (the third review) is signed by a leader", field="actor", rule="third_review_needs_leader"
        )
    if command.decision is ReviewDecision.SEND_BACK and not (command.comments or "").strip():
        raise DomainError(
            "say what to change when sending a piece back", field="comments", rule="send_back_needs_comments"
        )
    return [
        PublicationReviewed(
            publication_id=command.publication_id,
            unit=command.unit,
            round=publication.round,
            stage=command.stage,
            decision=command.decision,
            comments=command.comments,
            reviewer=reviewer,
        )
    ]


def decide_revise(
    publication: Publication,
    outlet: Outlet | None,
    reviser: str,
    command: RevisePublication,
) -> list[DomainEvent]:
    """Revise a piece that was sent back; it then starts the three reviews again. Fields left out stay
    as they were; ``summary`` or ``manuscript`` sent as null are cleared."""
    status = existing_status(publication, command.publication_id, command.unit)
    if status is not PublicationStatus.RETURNED:
        raise DomainError(
            f"only a piece sent back can be revised; this one is {status.value}",
            field="publication_id",
            rule="revise_not_returned",
        )
    outlet_id = command.outlet_id or publication.outlet_id
    if command.outlet_id:
        check_outlet(outlet, outlet_id, command.unit)
    given = command.model_fields_set
    return [
        PublicationRevised(
            publication_id=command.publication_id,
            unit=command.unit,
            round=publication.round + 1,
            note=command.note,
            title=command.title or publication.title,
            summary=command.summary if "summary" in given else publication.summary,
            manuscript=command.manuscript if "manuscript" in given else publication.manuscript,
            outlet_id=outlet_id,
            revised_by=reviser,
        )
    ]


def decide_publish(
    publication: Publication, outlet: Outlet | None, today: date, command: Publish
) -> list[DomainEvent]:
    """Publish a piece that passed all three reviews, on its outlet if that is still active."""
    status = existing_status(publication, command.publication_id, command.unit)
    if status is PublicationStatus.PUBLISHED:
        raise AlreadyExists(
            f"publication {command.publication_id} is already published",
            field="publication_id",
            rule="already_published",
        )
    if status is not PublicationStatus.APPROVED:
        raise DomainError(
            f"publication {command.publication_id} is {status.value}; it needs all three reviews first",
            field="publication_id",
            rule="publish_needs_reviews",
        )
    if command.published_on > today:
        raise DomainError(
            f"{command.published_on} is in the future",
            field="published_on",
            rule="date_in_future",
            params={"date": command.published_on, "today": today},
        )
    if publication.proofreading_begun and len(publication.proofreaders) < PROOFREADS:
        raise DomainError(
            f"publication {command.publication_id} has {len(publication.proofreaders)} of its three"
            " proofreads (三校): once proofreading has begun, all three come before publishing",
            field="publication_id",
            rule="proofreads_incomplete",
            params={"done": len(publication.proofreaders)},
        )
    signed = publication.last_stage_at
    if signed is not None and command.published_on < local_date(signed):
        raise DomainError(
            f"{command.published_on} is before its last review was signed ({local_date(signed)}):"
            " a piece is published after its three reviews",
            field="published_on",
            rule="published_before_review",
            params={"date": command.published_on, "signed": local_date(signed)},
        )
    check_backdating(command.published_on, today, command.backdate_reason, field="published_on")
    found = check_outlet(outlet, publication.outlet_id, command.unit)
    if command.published_on < found.effective_on:
        raise DomainError(
            f"outlet {found.outlet_id} only runs from {found.effective_on}", field="published_on"
        )
    return [
        PublicationPublished(
            publication_id=command.publication_id,
            unit=command.unit,
            outlet_id=found.outlet_id,
            outlet_unit=found.unit,
            published_on=command.published_on,
            url=command.url,
        )
    ]


def decide_record_views(publication: Publication, today: date, command: RecordViews) -> list[DomainEvent]:
    """Record the latest view count of a published piece (the figure replaces the one before)."""
    status = existing_status(publication, command.publication_id, command.unit)
    if status is not PublicationStatus.PUBLISHED:
        raise DomainError(
            f"publication {command.publication_id} is not published yet", field="publication_id"
        )
    if command.as_of > today:
        raise DomainError(
            f"{command.as_of} is in the future",
            field="as_of",
            rule="date_in_future",
            params={"date": command.as_of, "today": today},
        )
    if command.views == publication.views:
        return []  # the same figure again (a platform polling daily): nothing new
    return [
        PublicationViewsRecorded(
            publication_id=command.publication_id,
            unit=command.unit,
            outlet_id=publication.outlet_id,
            views=command.views,
            previous=publication.views,
            as_of=command.as_of,
        )
    ]

"""Back-filled publications, pure: a piece already published, recorded from a register (补录) by
passing it through the very rules a live piece meets — submit, 初审, 复审, 终审, publish, views — one
stage after the other, each stage folded in before the next is decided. A refusal names the row's own
field (``reviews.2.reviewer``, ``submitted_at``), so the sender can fix that cell."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from contracts.commands import Role
from contracts.outreach import (
    Publish,
    RecordViews,
    ReviewDecision,
    ReviewPublication,
    SubmitPublication,
)
from contracts.outreach_backfill import PublicationRow, RecordPublications
from contracts.outreach_proofreads import ProofreadPublication
from contracts.registry import DomainEvent
from services.eventkit.bulkrows import (
    CheckedRow,
    RowDecision,
    RowOutcome,
    check_batch,
    decide_rows,
    imported_id,
    renamed,
)
from services.eventkit.localtime import local_date
from services.eventkit.unitlife import KnownUnit, check_not_retired
from services.outreach.domain.proofreads import decide_proofread
from services.outreach.domain.publications import (
    Outlet,
    Publication,
    decide_publish,
    decide_record_views,
    decide_review,
    decide_submit,
    evolve_publication,
    stage_time,
    stamped,
)

ID_NAME = "publication_id"
# The register names the reviewers, not Sanji accounts: the sender (an admin or a leader) vouches for
# the 终审 having been a leader's, so the leader rule is met by that attestation, as on paper.
ATTESTED_ROLES = frozenset({Role.LEADER})
# What a single command's field is called in a back-filled row.
SUBMIT_FIELDS = {"occurred_at": "submitted_at", "actor": "written_by"}
REVIEW_FIELDS = {"occurred_at": "reviewed_at", "actor": "reviewer"}
# On a row whose reviews all passed, publish refuses the piece itself only for unfinished proofreads.
PUBLISH_FIELDS = {"publication_id": "proofreads"}
PROOFREAD_FIELDS = {"occurred_at": "proofread_at", "actor": "proofreader"}


def import_publication_id(source: str, external_id: str) -> str:
    """A stable publication id for a source's record."""
    return imported_id("pub", source, external_id)


def check_publication_rows(
    command: RecordPublications, now: datetime
) -> tuple[list[CheckedRow[PublicationRow]], list[RowOutcome]]:
    """Rows that pass the door as PublicationRow and lie in the batch's unit, and a failure for the rest."""
    return check_batch(
        PublicationRow,
        command,
        now,
        lambda row: import_publication_id(command.source, row.external_id),
        ID_NAME,
    )


def decide_past_publication(
    publication_id: str,
    row: PublicationRow,
    *,
    unit_known: bool,
    retired: KnownUnit | None,
    outlet: Outlet | None,
    now: datetime,
) -> list[DomainEvent]:
    """The events of one published piece with its three reviews (and its three proofreads, if given),
    each stage decided on the state the stages before it left (so order, different people and the
    author's exclusion all hold, and a piece whose proofreading began is published only after all three)."""
    today = local_date(now)
    if retired is not None:
        check_not_retired(retired, local_date(row.submitted_at), retired.successor, "unit")
        check_not_retired(retired, row.published_on, retired.successor, "unit")
    publication, events = Publication(), []

    def apply(stage_events: list[DomainEvent]) -> None:
        nonlocal publication
        for event in stage_events:
            publication = evolve_publication(publication, event)
        events.extend(stage_events)

    reason = row.backdate_reason
    submit = SubmitPublication(
        publication_id=publication_id,
        unit=row.unit,
        kind=row.kind,
        title=row.title,
        outlet_id=row.outlet_id,
        column=row.column,
        summary=row.summary,
        occurred_at=row.submitted_at,
        backdate_reason=reason,
    )
    apply(
        renamed(
            lambda: stamped(
                decide_submit(publication, unit_known, outlet, row.written_by, submit),
                stage_time(publication, submit, now),
                submit,
            ),
            SUBMIT_FIELDS,
        )
    )
    # Reviews and proofreads in the order they happened (a review first on a tie): each is decided on
    # the state the stages before it left, as it would have been live.
    stages = sorted(
        [(review.reviewed_at, 0, index) for index, review in enumerate(row.reviews)]
        + [(proofread.proofread_at, 1, index) for index, proofread in enumerate(row.proofreads)]
    )
    for _, is_proofread, index in stages:
        decide_stage = past_proofread if is_proofread else past_review
        apply(decide_stage(publication, publication_id, row, index, now))
    publish = Publish(
        publication_id=publication_id,
        unit=row.unit,
        published_on=row.published_on,
        backdate_reason=reason,
        url=row.url,
    )
    apply(renamed(lambda: decide_publish(publication, outlet, today, publish), PUBLISH_FIELDS))
    if row.views is not None:
        views = RecordViews(
            publication_id=publication_id, unit=row.unit, views=row.views, as_of=row.views_as_of or today
        )
        apply(renamed(lambda: decide_record_views(publication, today, views), {"as_of": "views_as_of"}))
    return events


def past_review(
    publication: Publication, publication_id: str, row: PublicationRow, index: int, now: datetime
) -> list[DomainEvent]:
    """The row's review ``index`` (an approval, by the named reviewer) by decide_review's rules."""
    review = row.reviews[index]
    command = ReviewPublication(
        publication_id=publication_id,
        unit=row.unit,
        stage=review.stage,
        decision=ReviewDecision.APPROVE,
        occurred_at=review.reviewed_at,
        backdate_reason=row.backdate_reason,
    )
    return renamed(
        lambda: stamped(
            decide_review(publication, review.reviewer, ATTESTED_ROLES, command),
            stage_time(publication, command, now),
            command,
        ),
        REVIEW_FIELDS,
        prefix=f"reviews.{index}.",
    )


def past_proofread(
    publication: Publication, publication_id: str, row: PublicationRow, index: int, now: datetime
) -> list[DomainEvent]:
    """The row's proofread ``index`` (一校、二校、三校, by the named proofreader) by decide_proofread's rules."""
    proofread = row.proofreads[index]
    command = ProofreadPublication(
        publication_id=publication_id,
        unit=row.unit,
        proofread=proofread.proofread,
        corrections=proofread.corrections,
        occurred_at=proofread.proofread_at,
        backdate_reason=row.backdate_reason,
    )
    return renamed(
        lambda: stamped(
            decide_proofread(publication, proofread.proofreader, command),
            stage_time(publication, command, now),
            command,
        ),
        PROOFREAD_FIELDS,
        prefix=f"proofreads.{index}.",
    )


def decide_record_publications(
    rows: list[CheckedRow[PublicationRow]],
    *,
    publications: Mapping[str, Publication],
    known_units: set[str],
    retired: Mapping[str, KnownUnit],
    outlets: Mapping[str, Outlet],
    now: datetime,
) -> tuple[list[RowDecision], list[RowOutcome]]:
    """Which rows become published pieces: a row whose publication exists (recorded before, or earlier
    in this batch) is a duplicate. Returns the decisions and an outcome for every good row."""

    def decide(checked: CheckedRow[PublicationRow]) -> list[DomainEvent]:
        row = checked.row
        return decide_past_publication(
            checked.record_id,
            row,
            unit_known=row.unit in known_units,
            retired=retired.get(row.unit),
            outlet=outlets.get(row.outlet_id),
            now=now,
        )

    def recorded_before(checked: CheckedRow[PublicationRow]) -> bool:
        return publications.get(checked.record_id, Publication()).submitted

    return decide_rows(rows, recorded_before, decide, ID_NAME)

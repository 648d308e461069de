"""Outreach context, back-fill: publications already published, each with its three reviews (and its
three proofreads, if the register has them), recorded in bulk from an office's register (补录) with a
per-row report. Every row goes through the same rules as submit → review ×3 (→ proofread ×3) → publish
→ record views, one stage after the other."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, ConfigDict, Field

from contracts.commands import Command, Role, command
from contracts.inputs import EACH_LATER, InputModel
from contracts.occurrence import BackdateReason
from contracts.outreach import (
    MAX_IMPORT_ROWS,
    ColumnName,
    ExternalId,
    OutletId,
    PersonName,
    PublicationKind,
    ReviewStage,
    SourceName,
    Summary,
)
from contracts.outreach_proofreads import Corrections, ProofreadNumber
from contracts.units import UnitPath


class PastReview(InputModel):
    """One of the three reviews (三审) a published piece passed: who signed which stage, and when."""

    model_config = ConfigDict(str_strip_whitespace=True)
    stage: ReviewStage
    reviewer: PersonName = Field(description="who signed it, as the register names them")
    reviewed_at: AwareDatetime = Field(description="when it was signed")


class PastProofread(InputModel):
    """One of the three proofreads (三校) a published piece passed: which, by whom, when."""

    model_config = ConfigDict(str_strip_whitespace=True)
    proofread: ProofreadNumber
    proofreader: PersonName = Field(description="who proofread it, as the register names them")
    proofread_at: AwareDatetime = Field(description="when it was proofread")
    corrections: Corrections = 0


class PublicationRow(InputModel):
    """One row of a bulk back-fill: a piece written, reviewed three times (初审, 复审, 终审 in that
    order, by three different people none of whom wrote it) and published. Its publication id is
    derived from (source, external_id)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    row: int | None = Field(default=None, ge=1, description="row number in the source file, for the report")
    external_id: ExternalId
    unit: UnitPath
    kind: PublicationKind
    title: str = Field(min_length=1, max_length=200)
    outlet_id: OutletId = Field(description="the registered outlet (阵地) it was published on")
    column: ColumnName | None = None
    summary: Summary | None = None
    written_by: PersonName = Field(description="who wrote and submitted it")
    submitted_at: AwareDatetime = Field(description="when it was submitted for its first review")
    reviews: list[PastReview] = Field(min_length=3, max_length=3, description="初审, 复审, 终审 in order")
    proofreads: list[PastProofread] = Field(
        default_factory=list, max_length=3, description="一校、二校、三校 if recorded: then all three"
    )
    published_on: date = Field(description="when it was published: local date in Asia/Shanghai")
    url: str | None = Field(default=None, max_length=500)
    views: int | None = Field(default=None, ge=0, le=10_000_000_000, description="阅读量/播放量, if known")
    views_as_of: date | None = Field(
        default=None, description="local date the views were read; default today"
    )
    backdate_reason: BackdateReason | None = Field(
        default=None, description="needed when any of its stages is more than BACKDATE_DAYS old"
    )


@command("outreach.record_publications", roles=frozenset({Role.ADMIN, Role.LEADER}))
class RecordPublications(Command):
    """Up to 500 published pieces from one source, each row checked on its own (see PublicationRow): a
    bad row is reported and skipped, good rows are kept, a row seen before is reported as a duplicate.
    The register names the reviewers; whoever sends it (an admin or a leader) vouches for the 终审
    having been signed by a leader."""

    max_bytes: ClassVar[int] = 512 * 1024
    source: SourceName
    unit: UnitPath = Field(description="every row's unit must lie in this unit's subtree")
    rows: Annotated[list[Any], EACH_LATER] = Field(
        min_length=1, max_length=MAX_IMPORT_ROWS, description="objects with the fields of PublicationRow"
    )

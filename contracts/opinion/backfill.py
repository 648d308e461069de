"""Opinion back-fill: past items, each with its grading (研判), recorded in bulk from a register with a
per-row report. Each row passes the rules of ``opinion.ingest_item`` then ``opinion.grade``; its case id
is the one the same (source, external id) gets through ingest, so a row sent twice lands once."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, ConfigDict, Field

from contracts.commands import Command, Role, command
from contracts.inputs import EACH_LATER, InputModel
from contracts.occurrence import BackdateReason
from contracts.opinion.common import LINK, Category, Channel, LongText, Note, Severity
from contracts.units import UnitPath

MAX_ITEM_ROWS = 500
ItemSource = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class PastGrade(InputModel):
    """How the desk graded the item, and when (relevant: category, severity and owning unit)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    relevant: bool
    category: Category | None = None
    severity: Severity | None = None
    owning_unit: UnitPath | None = None
    note: Note = ""
    graded_at: AwareDatetime = Field(description="when it was graded (not before it was captured)")


class PastItemRow(InputModel):
    """One row of a bulk back-fill: an item captured for ``unit`` and graded there."""

    model_config = ConfigDict(str_strip_whitespace=True)
    row: int | None = Field(default=None, ge=1, description="row number in the source file, for the report")
    external_id: str = Field(min_length=1, max_length=128, description="the item's id in its source")
    unit: UnitPath = Field(description="the unit the item was captured for (its desk)")
    channel: Channel
    title: str = Field(min_length=1, max_length=200)
    excerpt: LongText
    link: str | None = LINK
    captured_at: AwareDatetime
    grade: PastGrade
    backdate_reason: BackdateReason | None = Field(
        default=None, description="needed when it was graded more than BACKDATE_DAYS ago"
    )


@command("opinion.report_items", roles=frozenset({Role.ADMIN, Role.CLERK, Role.SYSTEM}))
class ReportItems(Command):
    """Up to 500 past items from one source, each with its grading, each row checked on its own (see
    PastItemRow): a bad row is reported and skipped, good rows are kept, a row seen before (here or
    through ingest) is reported as a duplicate. A relevant item's response clocks run from when it was
    graded, as they would have: an item graded long ago and never disposed shows as overdue."""

    max_bytes: ClassVar[int] = 512 * 1024
    source: ItemSource
    unit: UnitPath = Field(description="every row's unit must lie in this unit's subtree")
    rows: Annotated[list[Any], EACH_LATER] = Field(
        min_length=1, max_length=MAX_ITEM_ROWS, description="objects with the fields of PastItemRow"
    )

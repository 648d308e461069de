"""Outreach queries (``sanji.qry.projection.outreach.*``): per unit and period with plan versus actual,
activities and publications with their histories. Periods are local: ``2025``, ``2025-Q2``, ``2025-04``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from contracts.outreach import ActivityKind, PublicationStatus
from contracts.queries.base import (
    Answer,
    ChildParams,
    Limit,
    MonthCount,
    MonthlyParams,
    Offset,
    PeriodText,
    QueryContract,
    QueryParams,
    RecordId,
    Row,
    UnitParams,
    Year,
)


class KindMonthCount(MonthCount):
    by_kind: dict[str, int] = Field(description="the month's activities by kind (kinds held only)")


class KindMonthlyAnswer(Answer):
    """A unit subtree's activities in each month of a year, in all and by kind (twelve rows)."""

    path: str
    year: int
    months: list[KindMonthCount]


class SummaryParams(UnitParams):
    period: PeriodText | None = None


ActivitySort = Literal[
    "held_on", "-held_on", "topic", "-topic", "kind", "-kind", "audience", "-audience", "unit", "-unit"
]  # fmt: skip


class ActivitiesParams(SummaryParams, ChildParams):
    kind: ActivityKind | None = None
    sort: ActivitySort = Field("-held_on", description="a column to sort by, '-' first for descending")
    own: bool = Field(False, description="only the unit's own, not its subtree's")
    include_voided: bool = False
    limit: Limit = 50
    offset: Offset = 0


class ActivityParams(QueryParams):
    activity_id: RecordId


class PublicationsParams(UnitParams):
    status: PublicationStatus | None = None
    limit: Limit = 50


class PublicationParams(QueryParams):
    publication_id: RecordId


class MeetingTargetsParams(UnitParams):
    year: Year | None = None


class SummaryAnswer(Answer):
    unit: Row
    period: Row
    own: Row
    subtree: Row
    plan: Row
    publications: Row
    children: list[Row]


class SubmissionsAnswer(Answer):
    """信息报送 of a subtree in a period: items sent and adoptions, by level and per child unit, each quota
    with its periods and shortfalls, the units without an information officer on ``as_of``, and the items
    sent or adopted in the period (newest first, at most 200) with their adoptions."""

    unit: Row
    period: Row
    as_of: str = Field(description="the day the information officers are checked: the period's end or today")
    submitted: Row
    adopted: Row
    children: list[Row]
    quotas: list[Row]
    without_officer: list[Row]
    items: list[Row]


class ActivitiesAnswer(Answer):
    total: int
    activities: list[Row]


class ActivityAnswer(Answer):
    activity: Row
    history: list[Row]


class PublicationsAnswer(Answer):
    publications: list[Row]


class PublicationAnswer(Answer):
    publication: Row
    history: list[Row]


class MeetingTargetsAnswer(Answer):
    year: int
    targets: list[Row] = Field(description="the unit's own meeting targets in force: kind, cadence, count")


def _unit_of(record: str) -> Any:
    return lambda found: [found[record]["unit"]]


UNIT = "/api/v1/outreach/units/{unitpath}"
CONTRACTS = [
    QueryContract(
        "outreach.monthly",
        MonthlyParams,
        KindMonthlyAnswer,
        path=f"{UNIT}/monthly",
        unit_param="path",
        summary="Activities held in the unit's subtree in each month of a year, in all and by kind",
    ),
    QueryContract(
        "outreach.summary",
        SummaryParams,
        SummaryAnswer,
        path=f"{UNIT}/summary",
        unit_param="path",
        summary="Counts by kind (own and subtree), plan versus actual, publications, for one period",
    ),
    QueryContract(
        "outreach.submissions",
        SummaryParams,
        SubmissionsAnswer,
        path=f"{UNIT}/submissions",
        unit_param="path",
        summary="信息报送: items sent and adopted against quotas, and units without an information officer",
    ),
    QueryContract(
        "outreach.activities",
        ActivitiesParams,
        ActivitiesAnswer,
        path=f"{UNIT}/activities",
        unit_param="path",
        summary="Activities held in a period, newest first",
    ),
    QueryContract(
        "outreach.activity",
        ActivityParams,
        ActivityAnswer,
        path="/api/v1/outreach/activities/{activity_id}",
        record_param="activity_id",
        record_units=_unit_of("activity"),
        summary="One activity as it stands and its full history (logged, corrections, void)",
    ),
    QueryContract(
        "outreach.publications",
        PublicationsParams,
        PublicationsAnswer,
        path=f"{UNIT}/publications",
        unit_param="path",
        summary="Publications of the subtree, optionally of one status",
    ),
    QueryContract(
        "outreach.publication",
        PublicationParams,
        PublicationAnswer,
        path="/api/v1/outreach/publications/{publication_id}",
        record_param="publication_id",
        record_units=_unit_of("publication"),
        summary="One publication, where it stands in 三审三校, and its full history",
    ),
    QueryContract(
        "outreach.meeting_targets",
        MeetingTargetsParams,
        MeetingTargetsAnswer,
        path=f"{UNIT}/meeting-targets",
        unit_param="path",
        summary="The unit's own meeting targets set for a year (this local year if omitted)",
    ),
]

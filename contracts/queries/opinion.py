"""Opinion queries (``sanji.qry.projection.opinion.*``): statistics per unit and period, the cases a unit
sees, one case with its timeline, response plans and nil reports. A period is ``period`` (``2026``,
``2026-Q3``, ``2026-09``) or ``from`` and ``to`` (local dates, inclusive)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.opinion.common import Severity
from contracts.queries.base import (
    Answer,
    ChildParams,
    Limit,
    MonthlyAnswer,
    MonthlyParams,
    Offset,
    PeriodText,
    QueryContract,
    QueryParams,
    RecordId,
    Row,
    UnitParams,
)

CASE_UNITS = ("reported_unit", "owning_unit", "desk", "assignee", "supervisor")
CaseStateName = Literal[
    "reported", "graded", "assigned", "acknowledged", "disposing", "feedback_given", "closed", "dismissed"
]
CaseSort = Literal[
    "reported_at", "-reported_at", "captured_at", "-captured_at", "title", "-title", "state", "-state",
    "severity", "-severity",
]  # fmt: skip


class SpanParams(UnitParams):
    model_config = ConfigDict(populate_by_name=True)
    period: PeriodText | None = None
    from_: date | None = Field(None, alias="from", description="first local day (with `to`)")
    to: date | None = Field(None, description="last local day (with `from`)")


class CasesParams(SpanParams, ChildParams):
    filter: Literal["all", "open", "overdue", "supervised", "drill", "waiting"] = "all"
    state: CaseStateName | None = None
    severity: Severity | None = None
    sort: CaseSort = Field("-reported_at", description="a column to sort by, '-' first for descending")
    limit: Limit = 50
    offset: Offset = 0


class CaseParams(QueryParams):
    case_id: RecordId


class Period(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)
    label: str
    from_: str = Field(alias="from")
    to: str


class UnitStatsAnswer(Answer):
    path: str
    name: str
    kind: str
    level: str
    period: Period
    subtree: Row
    own: Row
    children: list[Row]
    hours_by_severity: dict[str, Row] = Field(
        description="the subtree's response times by severity (I–IV): per step the median hours and count"
    )


class CasesAnswer(Answer):
    path: str
    filter: str
    period: Period | None
    total: int
    cases: list[Row]


class CaseAnswer(Answer):
    """The case as the view holds it (every column of ``opinion_cases``) and its timeline."""

    model_config = ConfigDict(extra="allow")
    case_id: str
    timeline: list[Row]


class PlansAnswer(Answer):
    city: str
    versions: list[Row]


class NilReportsAnswer(Answer):
    path: str
    period: Period
    posts: list[Row]
    totals: dict[str, int]


UNIT = "/api/v1/opinion/units/{unitpath}"
CONTRACTS = [
    QueryContract(
        "opinion.monthly",
        MonthlyParams,
        MonthlyAnswer,
        path=f"{UNIT}/monthly",
        unit_param="path",
        summary="Items reported in the unit's subtree in each month of a year (drills left out)",
    ),
    QueryContract(
        "opinion.unit_stats",
        SpanParams,
        UnitStatsAnswer,
        path=UNIT,
        unit_param="path",
        summary="Items, incidents by severity and state, open, overdue, supervised, times — own, subtree, children",
    ),
    QueryContract(
        "opinion.cases",
        CasesParams,
        CasesAnswer,
        path=f"{UNIT}/cases",
        unit_param="path",
        summary="The cases the unit sees (in its subtree or supervised by it), newest first",
    ),
    QueryContract(
        "opinion.nil_reports",
        SpanParams,
        NilReportsAnswer,
        path=f"{UNIT}/nil-reports",
        unit_param="path",
        summary="Per monitoring post: nil reports due, filed, covered by a reported item, missing days",
    ),
    QueryContract(
        "opinion.case",
        CaseParams,
        CaseAnswer,
        path="/api/v1/opinion/cases/{case_id}",
        record_param="case_id",
        record_units=lambda found: [found.get(column) for column in CASE_UNITS],
        summary="One case with its deadlines and its timeline",
    ),
    QueryContract(
        "opinion.plans", UnitParams, PlansAnswer, summary="Response plan versions of a unit's city"
    ),
]

"""The work summary (年度工作总结 / 季度通报) of one unit's subtree for one year or quarter: every figure
Sanji records, each with the previous period's value, the plan where a target exists and the query that
lists the records behind it; the figures Sanji cannot record yet are named, never given as zeros."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.queries.base import Answer, Limit, PeriodText, QueryContract, Row, UnitParams

Number = int | float


class WorkSummaryParams(UnitParams):
    period: PeriodText = Field(description="a year (2025) or a quarter (2025-Q3), in Asia/Shanghai")


class RecordSection(StrEnum):
    """The records the summary counts that no other query lists."""

    MEETINGS = "meetings"
    SURVEYS = "surveys"
    AWARDS = "awards"


class WorkSummaryRecordsParams(WorkSummaryParams):
    section: RecordSection
    kind: str | None = Field(None, max_length=64, description="a meeting or award kind")
    limit: Limit = 100


class Link(BaseModel):
    """The query (``sanji.qry.projection.<query>``) whose answer lists the records behind a figure."""

    model_config = ConfigDict(frozen=True)
    query: str
    params: dict[str, Any]


class Figure(BaseModel):
    """One figure: ``section`` and ``name`` say what it counts, ``by``/``key`` the breakdown (a kind, a
    subtype, a column, an outlet, a severity) and ``label`` a name the records give the key."""

    model_config = ConfigDict(frozen=True)
    section: str
    name: str
    by: str | None = None
    key: str | None = None
    label: str | None = None
    value: Number | None
    previous: Number | None
    plan: Number | None = None
    additive: bool = Field(description="true: the quarters' values add up to the year's")
    link: Link


class NotRecorded(BaseModel):
    """A figure such summaries quote that Sanji has no record of yet."""

    model_config = ConfigDict(frozen=True)
    section: str
    name: str


class WorkSummaryAnswer(Answer):
    unit: Row
    period: Row
    previous_period: Row
    figures: list[Figure]
    not_recorded: list[NotRecorded]


class WorkSummaryRecordsAnswer(Answer):
    section: RecordSection
    records: list[Row]


CONTRACTS = [
    QueryContract(
        "summary",
        WorkSummaryParams,
        WorkSummaryAnswer,
        unit_param="path",  # served by gateway/summary_api.py: JSON, xlsx or docx
        summary="Every figure of a year's or a quarter's work summary, with previous period and plan",
    ),
    QueryContract(
        "summary.records",
        WorkSummaryRecordsParams,
        WorkSummaryRecordsAnswer,
        path="/api/v1/summaries/{unitpath}/records",
        unit_param="path",
        summary="The meetings, field surveys or awards of the subtree held in a period, newest first",
    ),
]

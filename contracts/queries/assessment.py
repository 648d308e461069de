"""Assessment queries (``sanji.qry.projection.assessment.*``): a unit's score with its children ranked
and its trend, bulletins, schemes and appeals."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from contracts.queries.base import (
    Answer,
    ChildParams,
    Limit,
    Offset,
    PeriodText,
    QueryContract,
    QueryParams,
    Row,
    UnitParams,
    whole,
)


class ScoreParams(UnitParams):
    period: PeriodText | None = Field(None, description="default: the last period scored")


class BulletinParams(UnitParams):
    period: PeriodText
    version: Annotated[int, BeforeValidator(whole(1, 10_000))] | None = Field(
        None, description="default: the newest"
    )


AppealSort = Literal[
    "filed_at", "-filed_at", "decided_at", "-decided_at", "unit", "-unit", "period", "-period", "state", "-state"
]  # fmt: skip


class AppealsParams(ChildParams):
    """The subtree's appeals, narrowed by state and subunit; every one unless ``limit`` asks for a page."""

    state: Literal["filed", "upheld", "rejected"] | None = None
    period: PeriodText | None = Field(None, description="an assessment period, or a year for all of its")
    sort: AppealSort = Field("-filed_at", description="a column to sort by, '-' first for descending")
    limit: Limit | None = None
    offset: Offset = 0


class SchemeParams(QueryParams):
    year: Annotated[int, BeforeValidator(whole(2000, 2100))]


class ScoreAnswer(Answer):
    path: str
    name: str
    level: str
    period: Row
    score: Row | None
    children_ranked_by: str | None
    children: list[Row]
    sections: list[Row] = Field(
        default_factory=list, description="sections and affiliated units scored where the scheme says so"
    )
    trend: list[Row]


class BulletinsAnswer(Answer):
    path: str
    bulletins: list[Row]


class BulletinAnswer(Answer):
    unit: str
    name: str
    period: str
    version: int
    title: str
    scheme_version: int
    appeal_deadline: str | None
    reissued_for: str | None
    published_at: str
    rows: list[Row]
    versions: list[Row]


class SchemeAnswer(Answer):
    year: int
    version: int
    scheme: Row
    versions: list[Row]


class AppealsAnswer(Answer):
    path: str
    total: int
    appeals: list[Row]


CONTRACTS = [
    QueryContract(
        "assessment.unit",
        ScoreParams,
        ScoreAnswer,
        path="/api/v1/assessment/units/{unitpath}",
        unit_param="path",
        summary="The unit's score for a period with its explanation and rank; its subunits ranked; its trend",
    ),
    QueryContract(
        "assessment.bulletins",
        UnitParams,
        BulletinsAnswer,
        path="/api/v1/assessment/bulletins/{unitpath}",
        unit_param="path",
        summary="Bulletins published by the unit or by a unit above it that rank it, newest first",
    ),
    QueryContract("assessment.bulletin", BulletinParams, BulletinAnswer, summary="One version of a bulletin"),
    QueryContract(
        "assessment.scheme",
        SchemeParams,
        SchemeAnswer,
        path="/api/v1/assessment/schemes/{year}",
        unscoped=True,
        summary="The newest scheme adopted for the year and every version",
    ),
    QueryContract(
        "assessment.appeals",
        AppealsParams,
        AppealsAnswer,
        path="/api/v1/assessment/appeals/{unitpath}",
        unit_param="path",
        summary="Appeals filed by units in the subtree, newest first",
    ),
]

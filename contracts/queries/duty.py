"""Duty queries (``sanji.qry.projection.duty.*``): a unit's duty figures, coverage gaps, inspections and
rectifications now, and the unit tree, posts, outlets and responsibility list as of any local date."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contracts.duty import OutletKind, OutletStatus
from contracts.queries.base import Answer, AsOfParams, QueryContract, Row, UnitParams


class PostsParams(AsOfParams):
    subtree: bool = Field(False, description="the whole subtree's posts, not only the unit's")


class OutletsParams(AsOfParams):
    kind: OutletKind | None = None
    status: OutletStatus | None = None


class RectificationsParams(UnitParams):
    state: Literal["open", "overdue", "closed", "all"] = "all"


class DutyUnitAnswer(Answer):
    path: str
    parent: str | None
    name: str
    kind: str
    registered_on: str | None
    retired_on: str | None
    successor: str | None
    previous_path: str | None
    own: Row
    subtree: Row
    children: list[Row]


class AsOfAnswer(Answer):
    as_of: str


class TreeAnswer(AsOfAnswer):
    root: Row
    units: list[Row]


class PostsAnswer(AsOfAnswer):
    unit: Row
    posts: list[Row]


class OutletsAnswer(AsOfAnswer):
    unit: Row
    outlets: list[Row]


class ResponsibilityListAnswer(AsOfAnswer):
    unit: Row
    levels: list[Row]
    information_officers: list[Row]
    group_office: list[Row]
    outlets: list[Row]


class GapsAnswer(Answer):
    gaps: list[Row]


class InspectionsAnswer(Answer):
    inspections: list[Row]


class RectificationsAnswer(Answer):
    rectifications: list[Row]


class RecordsAnswer(AsOfAnswer):
    cadences: dict[str, int] = Field(description="outlet kind → inspect at least every so many months")
    outlets: list[Row] = Field(description="running outlets with due_on and overdue against the cadence")
    reports: list[Row] = Field(description="offices' half-yearly reports: on_time, late, overdue or pending")
    organizations: list[Row] = Field(
        description="social organizations, party coverage, inspections this year"
    )
    counts: Row


def _on(name: str, params: type[UnitParams], answer: type[Answer], tail: str, summary: str) -> QueryContract:
    path = f"/api/v1/duty/units/{{unitpath}}{tail}"
    return QueryContract(f"duty.{name}", params, answer, path=path, unit_param="path", summary=summary)


CONTRACTS = [
    _on(
        "unit",
        UnitParams,
        DutyUnitAnswer,
        "",
        "Posts, gaps, outlets, inspections, rectifications: own, rolled up, per child",
    ),
    _on(
        "tree",
        AsOfParams,
        TreeAnswer,
        "/tree",
        "The unit tree below the unit as of a date, with the names it had then",
    ),
    _on(
        "responsibility_list",
        AsOfParams,
        ResponsibilityListAnswer,
        "/responsibility",
        "四级责任清单 as of a date",
    ),
    _on("posts", PostsParams, PostsAnswer, "/posts", "Posts and their holders as of a date"),
    _on(
        "outlets",
        OutletsParams,
        OutletsAnswer,
        "/outlets",
        "Outlets in the subtree as of a date and who answered for them",
    ),
    _on(
        "gaps",
        UnitParams,
        GapsAnswer,
        "/gaps",
        "Open coverage gaps in the subtree: outlets whose owning post is vacant",
    ),
    _on(
        "inspections",
        UnitParams,
        InspectionsAnswer,
        "/inspections",
        "Inspections in the subtree with findings",
    ),
    _on(
        "rectifications",
        RectificationsParams,
        RectificationsAnswer,
        "/rectifications",
        "Rectifications in the subtree",
    ),
    _on(
        "records",
        AsOfParams,
        RecordsAnswer,
        "/records",
        "Outlets against their inspection cadence, half-yearly reports and social organizations on a date",
    ),
]

"""Queries of the unit tree with activity counts (``sanji.qry.projection.units`` / ``.unit``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from contracts.queries.base import Answer, NoParams, QueryContract, UnitParams


class Tally(BaseModel):
    model_config = ConfigDict(frozen=True)
    activities: int
    audience: int


class Totals(Tally):
    by_kind: dict[str, Tally]


class UnitSummary(BaseModel):
    model_config = ConfigDict(frozen=True)
    path: str
    name: str
    kind: str
    level: str
    subtree: Tally


class UnitsAnswer(Answer):
    units: list[UnitSummary]


class UnitAnswer(Answer):
    path: str
    parent: str | None
    name: str
    kind: str
    level: str
    retired_on: str | None
    successor: str | None
    own: Totals
    subtree: Totals
    children: list[UnitSummary]


CONTRACTS = [
    QueryContract("units", NoParams, UnitsAnswer, summary="The top units with their subtree counts"),
    QueryContract(
        "unit",
        UnitParams,
        UnitAnswer,
        path="/api/v1/units/{unitpath}",
        unit_param="path",
        summary="One unit: own and subtree counts by activity kind, children",
    ),
]

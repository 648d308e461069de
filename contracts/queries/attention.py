"""What needs a unit's people now (``sanji.qry.projection.attention``), the figures no other query answers:
each of the unit's and its children's activity plans in the current period of every target (plan versus
actual), and this year's opinion incidents of the subtree by state and severity. The other counts of the
unit page's "needs attention" panel come from the queries whose lists they link to."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.queries.base import Answer, QueryContract, UnitParams


class PlanProgress(BaseModel):
    """One unit's own targets, each judged in its current period (this month, quarter or year)."""

    model_config = ConfigDict(frozen=True)
    path: str
    name: str
    targets: int = Field(description="targets set for the year (count > 0)")
    target: int = Field(description="activities due in the targets' current periods")
    actual: int = Field(description="activities held in those periods")
    shortfall: int = Field(description="activities still missing, a surplus of one target not counted")
    behind: int = Field(description="targets not yet met in their current period")


class FunnelCell(BaseModel):
    """Incidents at one state of the loop and one severity (None: not graded)."""

    model_config = ConfigDict(frozen=True)
    state: str
    severity: str | None
    cases: int


class AttentionAnswer(Answer):
    path: str
    today: str = Field(description="the local date the current periods are judged on")
    year: int = Field(description="the local year the funnel counts (by capture date)")
    plan: list[PlanProgress] = Field(description="the unit first, then its children; only those with targets")
    funnel: list[FunnelCell] = Field(description="relevant incidents owned in the subtree, drills left out")


CONTRACTS = [
    QueryContract(
        "attention",
        UnitParams,
        AttentionAnswer,
        path="/api/v1/units/{unitpath}/attention",
        unit_param="path",
        summary="Plan versus actual this period of the unit and its children; this year's incidents by state and severity",
    ),
]

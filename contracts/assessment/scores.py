"""What a score says about itself: every indicator's inputs, points and the facts (and so the events)
behind them. Carried in ScoreComputed and frozen into bulletins, so a score can be explained point by
point long after the facts changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FactRef(Frozen):
    """One fact counted: its subject (``activity:a-17``), the date that placed it, the events behind it."""

    subject: str
    on_date: date
    events: list[str]


class Line(Frozen):
    """One indicator, deduction, bonus, veto or adjustment and what it gave."""

    id: str
    name: str
    kind: str
    points: float = Field(description="what it adds (negative for a deduction)")
    max_points: float | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    note: str = ""
    facts: list[FactRef] = Field(default_factory=list)


class ChildScore(Frozen):
    unit: str
    total: float
    vetoed: bool


class Explanation(Frozen):
    scheme_version: int
    indicators: list[Line]
    deductions: list[Line] = Field(default_factory=list)
    bonuses: list[Line] = Field(default_factory=list)
    vetoes: list[Line] = Field(default_factory=list, description="only the vetoes that struck")
    adjustments: list[Line] = Field(default_factory=list)
    applicable_points: float = Field(description="points of the indicators assessed in this period")
    scale: float = Field(
        description="full points ÷ applicable points: indicators not assessed are scaled away"
    )
    children: list[ChildScore] = Field(default_factory=list)
    rollup: dict[str, float] = Field(default_factory=dict, description="own and children weights when used")


class UnitScore(Frozen):
    """A unit's score for a period: ``own`` from its own facts, ``total`` after the roll-up."""

    unit: str
    period: str
    own: float
    total: float
    vetoed: bool
    explanation: Explanation

"""Assessment events. Scores and bulletins carry their explanations, so they read alone."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from contracts.assessment.scheme import Scheme
from contracts.assessment.scores import Explanation
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath


@event("assessment.scheme_adopted")
class SchemeAdopted(DomainEvent):
    unit: UnitPath
    year: int
    scheme_version: int = Field(ge=1)
    scheme: Scheme
    reason: str | None = None


@event("assessment.manual_score_entered")
class ManualScoreEntered(DomainEvent):
    unit: UnitPath
    period: str
    indicator_id: str
    points: float
    note: str


@event("assessment.score_adjusted")
class ScoreAdjusted(DomainEvent):
    unit: UnitPath
    period: str
    points: float
    reason: str
    appeal_id: str | None = Field(default=None, description="set when an upheld appeal made it")


@event("assessment.score_computed")
class ScoreComputed(DomainEvent):
    """A period's score changed (a fact arrived, a scheme was adopted, a score was entered or adjusted)."""

    unit: UnitPath
    period: str
    own: float
    total: float
    vetoed: bool
    explanation: Explanation
    digest: str = Field(description="sha256 of the canonical score: unchanged digest, no new event")


class BulletinRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    unit: str
    name: str
    parent: str | None = Field(description="the unit it is ranked under; None for the bulletin's own unit")
    own: float
    total: float
    vetoed: bool
    rank: int | None = Field(description="among its peers under the same parent; vetoed units come last")
    explanation: Explanation


@event("assessment.bulletin_published")
class BulletinPublished(DomainEvent):
    """季通报 / 年考核: the frozen scores of a unit and every scored unit below it for one period."""

    unit: UnitPath
    period: str
    bulletin_version: int = Field(ge=1)
    title: str
    scheme_version: int
    rows: list[BulletinRow]
    appeal_deadline: date = Field(description="last local day to file an appeal against this version")
    reissued_for: str | None = Field(default=None, description="the appeal whose decision re-issued it")


@event("assessment.appeal_filed")
class AppealFiled(DomainEvent):
    appeal_id: str
    unit: UnitPath
    period: str
    bulletin_unit: UnitPath
    bulletin_version: int
    reason: str


@event("assessment.appeal_decided")
class AppealDecided(DomainEvent):
    appeal_id: str
    unit: UnitPath = Field(description="the appellant")
    period: str
    bulletin_unit: UnitPath
    upheld: bool
    points: float
    reason: str

"""Assessment commands: adopting a scheme, manual scores, adjustments, bulletins and appeals."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from contracts.assessment.periods import PeriodLabel
from contracts.assessment.scheme import IndicatorId, Scheme
from contracts.commands import Command, Role, command
from contracts.inputs import MULTILINE, PlanYear
from contracts.units import UnitPath

ASSESSORS = frozenset({Role.ASSESSOR, Role.ADMIN})
APPELLANTS = frozenset({Role.CLERK, Role.LEADER, Role.ADMIN})
Reason = Annotated[str, Field(min_length=1, max_length=1000), MULTILINE]
AppealId = Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


@command("assessment.adopt_scheme", roles=ASSESSORS)
class AdoptScheme(Command):
    """The scheme in force for every month, quarter and the year ``year`` not yet published; adopting
    again makes a new version (a published bulletin keeps the version it was scored with)."""

    max_bytes: ClassVar[int] = 256 * 1024
    unit: UnitPath = Field(description="the city: a scheme applies to the whole deployment")
    year: PlanYear
    scheme: Scheme
    reason: Reason | None = Field(default=None, description="required when replacing an adopted version")


@command("assessment.enter_manual_score", roles=ASSESSORS)
class EnterManualScore(Command):
    """An assessor's points for a manual indicator (0 … its points); entering again replaces them."""

    unit: UnitPath
    period: PeriodLabel
    indicator_id: IndicatorId
    points: float = Field(ge=0, le=1000)
    note: Reason


@command("assessment.adjust_score", roles=ASSESSORS)
class AdjustScore(Command):
    """Points on or off a unit's own score for an open period, with the reason (audited)."""

    unit: UnitPath
    period: PeriodLabel
    points: float = Field(ge=-100, le=100, description="positive adds, negative takes off; not 0")
    reason: Reason


@command("assessment.publish_bulletin", roles=ASSESSORS)
class PublishBulletin(Command):
    """Freeze the period's scores for ``unit`` and every scored unit below it, ranked among peers."""

    unit: UnitPath
    period: PeriodLabel
    title: str | None = Field(default=None, min_length=1, max_length=200)


@command("assessment.file_appeal", roles=APPELLANTS)
class FileAppeal(Command):
    """申诉: a unit contests its published score within the scheme's window."""

    unit: UnitPath
    appeal_id: AppealId
    period: PeriodLabel
    reason: Reason


@command("assessment.decide_appeal", roles=ASSESSORS)
class DecideAppeal(Command):
    """Upheld with points: the bulletin is re-issued as a new version with them; earlier versions stay."""

    appeal_id: AppealId
    unit: UnitPath = Field(description="the unit that published the bulletin (decides its appeals)")
    upheld: bool
    points: float = Field(default=0, ge=-100, le=100, description="the correction when upheld")
    reason: Reason

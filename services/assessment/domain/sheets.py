"""A unit's score sheet for a period, pure: manual scores, adjustments and the last computed digest;
refused once a bulletin froze the score."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from contracts.assessment import (
    AdjustScore,
    EnterManualScore,
    Manual,
    ManualScoreEntered,
    Scheme,
    ScoreAdjusted,
    ScoreComputed,
)
from contracts.registry import DomainEvent
from services.assessment.domain.scoring import Adjustment, ManualEntry
from services.eventkit.errors import DomainError, NotFound


@dataclass(frozen=True)
class ScoreSheet:
    manual: dict[str, ManualEntry] = field(default_factory=dict)
    adjustments: tuple[Adjustment, ...] = ()
    digest: str | None = None


def evolve_sheet(sheet: ScoreSheet, event: DomainEvent, event_id: str) -> ScoreSheet:
    if isinstance(event, ManualScoreEntered):
        entry = ManualEntry(event.points, event.note, event_id)
        return replace(sheet, manual={**sheet.manual, event.indicator_id: entry})
    if isinstance(event, ScoreAdjusted):
        reason = f"{event.reason} (申诉 {event.appeal_id})" if event.appeal_id else event.reason
        return replace(sheet, adjustments=(*sheet.adjustments, Adjustment(event.points, reason, event_id)))
    if isinstance(event, ScoreComputed):
        return replace(sheet, digest=event.digest)
    return sheet


def refuse_if_frozen(frozen_by: str | None, unit: str, period: str) -> None:
    if frozen_by is not None:
        raise DomainError(
            f"the {period} scores of {unit} are published ({frozen_by}): they change only by an appeal",
            "body.period",
            rule="score_published",
        )


def decide_manual(
    scheme: tuple[int, Scheme] | None, frozen_by: str | None, command: EnterManualScore
) -> list[DomainEvent]:
    if scheme is None:
        raise NotFound(f"no scheme is adopted for {command.period[:4]}", "body.period", rule="no_scheme")
    refuse_if_frozen(frozen_by, command.unit, command.period)
    leaf = next((leaf for leaf in scheme[1].leaves() if leaf.id == command.indicator_id), None)
    if leaf is None:
        raise NotFound(
            f"scheme version {scheme[0]} has no indicator '{command.indicator_id}'", "body.indicator_id"
        )
    if not isinstance(leaf, Manual):
        raise DomainError(
            f"'{leaf.id}' ({leaf.name}) is a {leaf.kind} indicator, computed from facts: only manual ones are entered",
            "body.indicator_id",
        )
    if command.points > leaf.points:
        raise DomainError(f"'{leaf.id}' is worth at most {leaf.points:g} points", "body.points")
    return [
        ManualScoreEntered(
            unit=command.unit,
            period=command.period,
            indicator_id=command.indicator_id,
            points=command.points,
            note=command.note,
        )
    ]


def decide_adjust(frozen_by: str | None, command: AdjustScore) -> list[DomainEvent]:
    if command.points == 0:
        raise DomainError("an adjustment of 0 points changes nothing", "body.points", rule="adjustment_zero")
    refuse_if_frozen(frozen_by, command.unit, command.period)
    return [
        ScoreAdjusted(unit=command.unit, period=command.period, points=command.points, reason=command.reason)
    ]

"""Appeals (申诉), pure: filed by the unit within the window, decided by the level that published."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts.assessment import (
    AppealDecided,
    AppealFiled,
    BulletinPublished,
    DecideAppeal,
    FileAppeal,
)
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.eventkit.errors import AlreadyExists, DomainError, NotFound


@dataclass(frozen=True)
class AppealState:
    filed: AppealFiled | None = None
    decided: AppealDecided | None = None


def evolve_appeal(state: AppealState, event: DomainEvent) -> AppealState:
    if isinstance(event, AppealFiled):
        return replace(state, filed=event)
    if isinstance(event, AppealDecided):
        return replace(state, decided=event)
    return state


def decide_file_appeal(
    state: AppealState, bulletin: BulletinPublished | None, command: FileAppeal, today: date
) -> list[DomainEvent]:
    if state.filed is not None:
        raise AlreadyExists(f"appeal {command.appeal_id} is already filed", "body.appeal_id")
    if bulletin is None:
        raise NotFound(
            f"no bulletin of {command.period} covers {command.unit}: nothing to appeal",
            "body.period",
            rule="nothing_to_appeal",
        )
    if all(row.unit != command.unit for row in bulletin.rows):
        raise NotFound(f"{command.unit} is not scored in the {command.period} bulletin", "body.unit")
    if today > bulletin.appeal_deadline:
        raise DomainError(
            f"the appeal window closed on {bulletin.appeal_deadline.isoformat()} (申诉期已过)",
            "body.period",
            rule="appeal_window_closed",
            params={"deadline": bulletin.appeal_deadline.isoformat()},
        )
    return [
        AppealFiled(
            appeal_id=command.appeal_id,
            unit=command.unit,
            period=command.period,
            bulletin_unit=bulletin.unit,
            bulletin_version=bulletin.bulletin_version,
            reason=command.reason,
        )
    ]


def decide_appeal(state: AppealState, command: DecideAppeal) -> list[DomainEvent]:
    filed = state.filed
    # One answer for an appeal never filed and one of units outside the caller's subtree.
    if filed is None or not (
        is_within(filed.unit, command.unit) or is_within(filed.bulletin_unit, command.unit)
    ):
        raise NotFound(
            f"no appeal {command.appeal_id} concerns {command.unit} or a unit below it", "body.appeal_id"
        )
    if state.decided is not None:
        raise AlreadyExists(
            f"appeal {command.appeal_id} is already decided", "body.appeal_id", rule="appeal_decided"
        )
    if not is_within(filed.bulletin_unit, command.unit):
        raise DomainError(
            f"appeal {command.appeal_id} is decided by {filed.bulletin_unit}, which published the bulletin",
            "body.unit",
        )
    if not command.upheld and command.points:
        raise DomainError(
            "a rejected appeal changes no points: leave points at 0",
            "body.points",
            rule="rejected_with_points",
        )
    return [
        AppealDecided(
            appeal_id=command.appeal_id,
            unit=filed.unit,
            period=filed.period,
            bulletin_unit=filed.bulletin_unit,
            upheld=command.upheld,
            points=command.points if command.upheld else 0.0,
            reason=command.reason,
        )
    ]

"""Assessment rules: pure decide/evolve for schemes, score sheets (manual scores and adjustments of a
unit's period), bulletins and appeals. No I/O, no clock: ``today`` is passed in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from contracts.assessment import (
    AdjustScore,
    AdoptScheme,
    AppealDecided,
    AppealFiled,
    BulletinPublished,
    DecideAppeal,
    EnterManualScore,
    FileAppeal,
    Manual,
    ManualScoreEntered,
    Scheme,
    SchemeAdopted,
    ScoreAdjusted,
    ScoreComputed,
)
from contracts.registry import DomainEvent
from contracts.units import division_codes, is_within
from services.assessment.scoring import Adjustment, ManualEntry
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.eventkit.periods import Period

# --- schemes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeBook:
    """The versions adopted for one year; the newest is in force for periods not yet published."""

    versions: tuple[Scheme, ...] = ()

    @property
    def current(self) -> tuple[int, Scheme] | None:
        return (len(self.versions), self.versions[-1]) if self.versions else None


def evolve_schemes(book: SchemeBook, event: DomainEvent) -> SchemeBook:
    if isinstance(event, SchemeAdopted):
        return SchemeBook((*book.versions, event.scheme))
    return book


def decide_adopt(book: SchemeBook, command: AdoptScheme) -> list[DomainEvent]:
    if division_codes(command.unit) != [command.unit]:
        raise DomainError("a scheme is adopted by the city, for the whole city", "body.unit")
    if book.versions and command.reason is None:
        raise DomainError(
            f"a scheme is already in force for {command.year} (version {len(book.versions)}): give a reason "
            "to replace it",
            "body.reason",
        )
    if book.versions and book.versions[-1] == command.scheme:
        return []  # the same scheme again changes nothing
    return [
        SchemeAdopted(
            unit=command.unit,
            year=command.year,
            scheme_version=len(book.versions) + 1,
            scheme=command.scheme,
            reason=command.reason,
        )
    ]


# --- a unit's period: manual scores, adjustments, computed scores -----------------------------------


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
        )


def decide_manual(
    scheme: tuple[int, Scheme] | None, frozen_by: str | None, command: EnterManualScore
) -> list[DomainEvent]:
    if scheme is None:
        raise NotFound(f"no scheme is adopted for {command.period[:4]}", "body.period")
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
        raise DomainError("an adjustment of 0 points changes nothing", "body.points")
    refuse_if_frozen(frozen_by, command.unit, command.period)
    return [
        ScoreAdjusted(unit=command.unit, period=command.period, points=command.points, reason=command.reason)
    ]


# --- bulletins and appeals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinState:
    versions: tuple[BulletinPublished, ...] = ()

    @property
    def latest(self) -> BulletinPublished | None:
        return self.versions[-1] if self.versions else None


def evolve_bulletin(state: BulletinState, event: DomainEvent) -> BulletinState:
    if isinstance(event, BulletinPublished):
        return BulletinState((*state.versions, event))
    return state


def refuse_republish(state: BulletinState, unit: str, period: Period) -> None:
    if state.latest is not None:
        raise AlreadyExists(
            f"the {period.label} bulletin of {unit} is published (version {state.latest.bulletin_version});"
            " it is re-issued only by an appeal's decision",
            "body.period",
        )


def appeal_deadline(published_on: date, window_days: int) -> date:
    return published_on + timedelta(days=window_days)


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
            f"no bulletin of {command.period} covers {command.unit}: nothing to appeal", "body.period"
        )
    if all(row.unit != command.unit for row in bulletin.rows):
        raise NotFound(f"{command.unit} is not scored in the {command.period} bulletin", "body.unit")
    if today > bulletin.appeal_deadline:
        raise DomainError(
            f"the appeal window closed on {bulletin.appeal_deadline.isoformat()} (申诉期已过)", "body.period"
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
        raise AlreadyExists(f"appeal {command.appeal_id} is already decided", "body.appeal_id")
    if not is_within(filed.bulletin_unit, command.unit):
        raise DomainError(
            f"appeal {command.appeal_id} is decided by {filed.bulletin_unit}, which published the bulletin",
            "body.unit",
        )
    if not command.upheld and command.points:
        raise DomainError("a rejected appeal changes no points: leave points at 0", "body.points")
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

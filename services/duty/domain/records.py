"""The records the bureau's summaries quote, pure: inspection cadences per outlet kind (set by the city,
versioned by ``effective_on``), the half-yearly report to the higher party organization with its deadline
in working days, and social organizations' party coverage and inspections."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from contracts.duty import (
    HalfYearReportMade,
    HalfYearReportOverdue,
    InspectionCadenceSet,
    OrganizationInspected,
    PartyCoverage,
    PartyCoverageSet,
    RecordHalfYearReport,
    RecordOrganizationInspection,
    SetInspectionCadence,
    SetPartyCoverage,
    UnitKind,
)
from contracts.registry import DomainEvent
from contracts.units import Level, level_of
from services.duty.domain.common import check_effective
from services.duty.domain.units import OFFICE_KINDS, Unit, check_active, describe
from services.eventkit.backdating import happened_at
from services.eventkit.dues import HalfYear, parse_half_year, report_due
from services.eventkit.errors import AlreadyExists, DomainError
from services.eventkit.localtime import SHANGHAI


@dataclass(frozen=True)
class Cadences:
    """The city's cadence per outlet kind: kind → (months, effective_on of the setting)."""

    by_kind: dict[str, tuple[int, date]] = field(default_factory=dict)


def evolve_cadences(cadences: Cadences, event: DomainEvent) -> Cadences:
    if isinstance(event, InspectionCadenceSet):
        return Cadences({**cadences.by_kind, event.kind.value: (event.months, event.effective_on)})
    return cadences


def decide_set_cadence(
    cadences: Cadences, city: Unit, command: SetInspectionCadence, today: date
) -> list[DomainEvent]:
    """Only the city sets a cadence; a new one takes effect on its date, never before the last one's."""
    check_active(city, command.unit, "unit")
    if level_of(command.unit) is not Level.CITY or city.kind is not UnitKind.BUREAU:
        raise DomainError(
            f"{describe(city)} is not the city bureau: inspection cadences are set by the city", "unit"
        )
    months, since = cadences.by_kind.get(command.kind.value, (None, None))
    if months == command.months:
        raise DomainError(
            f"outlets of kind {command.kind.value} are already inspected every {months} months", "months"
        )
    check_effective(command.effective_on, today, since, f"the cadence of {command.kind.value}")
    return [
        InspectionCadenceSet(
            unit=command.unit,
            kind=command.kind,
            months=command.months,
            previous_months=months,
            effective_on=command.effective_on,
        )
    ]


@dataclass(frozen=True)
class HalfYearReport:
    """One unit's report on one half-year: made (when, whether late) or flagged overdue."""

    reported_at: datetime | None = None
    overdue: bool = False


def evolve_report(report: HalfYearReport, event: DomainEvent) -> HalfYearReport:
    if isinstance(event, HalfYearReportMade):
        return replace(report, reported_at=event.reported_at)
    if isinstance(event, HalfYearReportOverdue):
        return replace(report, overdue=True)
    return report


def owes_reports(unit: Unit) -> bool:
    """The offices of the three levels report; sections, branches and social organizations do not."""
    return unit.active and unit.kind in OFFICE_KINDS


def decide_record_report(
    report: HalfYearReport, unit: Unit, command: RecordHalfYearReport, now: datetime
) -> list[DomainEvent]:
    """Once per unit and half-year, made (as stated, else now) not before the half-year began; late when
    made after the deadline (REPORT_WORKDAYS working days after the half-year's end)."""
    check_active(unit, command.unit, "unit")
    if not owes_reports(unit):
        raise DomainError(f"{describe(unit)} is not an office: only offices report each half-year", "unit")
    if report.reported_at is not None:
        raise AlreadyExists(
            f"{describe(unit)} already reported on {command.half_year} ({report.reported_at.isoformat()})",
            field="half_year",
        )
    half = parse_half_year(command.half_year)
    begun = datetime.combine(half.first_day, time(), tzinfo=SHANGHAI)
    if now < begun:
        raise DomainError(f"{command.half_year} has not begun; report on it once it has", "half_year")
    reported_at = happened_at(
        command.occurred_at, now, command.backdate_reason, not_before=begun, follows="the half-year it covers"
    )
    deadline = report_due(half)
    return [
        HalfYearReportMade(
            unit=command.unit,
            half_year=half.label,
            reported_to=command.reported_to,
            summary=command.summary,
            reported_at=reported_at,
            due_at=deadline.due_at,
            deadline_estimated=deadline.estimated,
            late=reported_at > deadline.due_at,
        )
    ]


def decide_flag_report_overdue(
    report: HalfYearReport, unit: Unit, half: HalfYear, now: datetime
) -> list[DomainEvent]:
    """When the deadline timer fires: overdue if the unit owes the report and has not made it."""
    due = report_due(half).due_at
    if report.reported_at is not None or report.overdue or now < due or not owes_reports(unit):
        return []
    assert unit.path is not None
    return [HalfYearReportOverdue(unit=unit.path, half_year=half.label, due_at=due)]


@dataclass(frozen=True)
class Organization:
    """A social organization's records: its party coverage and the inspections of it."""

    coverage: PartyCoverage | None = None
    coverage_since: date | None = None
    inspections: frozenset[str] = frozenset()


def evolve_organization(organization: Organization, event: DomainEvent) -> Organization:
    if isinstance(event, PartyCoverageSet):
        return replace(organization, coverage=event.coverage, coverage_since=event.effective_on)
    if isinstance(event, OrganizationInspected):
        return replace(organization, inspections=organization.inspections | {event.inspection_id})
    return organization


def check_organization(unit: Unit, path: str) -> None:
    check_active(unit, path, "unit")
    if unit.kind is not UnitKind.SOCIAL_ORGANIZATION:
        raise DomainError(f"{describe(unit)} is not a social organization (社会组织)", "unit")


def decide_set_coverage(
    organization: Organization, unit: Unit, command: SetPartyCoverage, today: date
) -> list[DomainEvent]:
    """Coverage changes from a date on, never before the last change; the same coverage twice is refused."""
    check_organization(unit, command.unit)
    if organization.coverage is command.coverage:
        raise DomainError(f"{describe(unit)} already has coverage {command.coverage.value}", "coverage")
    check_effective(command.effective_on, today, organization.coverage_since, describe(unit))
    return [
        PartyCoverageSet(
            unit=command.unit,
            coverage=command.coverage,
            previous=organization.coverage,
            effective_on=command.effective_on,
            note=command.note,
        )
    ]


def decide_inspect_organization(
    organization: Organization, unit: Unit, command: RecordOrganizationInspection, today: date
) -> list[DomainEvent]:
    check_organization(unit, command.unit)
    if command.inspection_id in organization.inspections:
        raise AlreadyExists(f"inspection {command.inspection_id} is already recorded", "inspection_id")
    if command.inspected_on > today:
        raise DomainError(
            f"{command.inspected_on} is in the future; record an inspection once held",
            "inspected_on",
            rule="date_in_future",
            params={"date": command.inspected_on, "today": today},
        )
    return [OrganizationInspected(**command.model_dump())]

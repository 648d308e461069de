"""What the bureau records beyond outlets: how often each outlet kind must be inspected (set by the city),
the half-yearly report to the higher party organization (每半年汇报, a due obligation of each office), and
the party-organization coverage (党组织覆盖) and inspections of registered social organizations (社会组织).

A social organization is a unit of kind ``social_organization`` (contracts/duty/units.py) registered below
the office that supervises it: its coverage and inspections are records of that unit."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from contracts.commands import Command, command
from contracts.duty.common import RECORDS, STRUCTURE, EntityId, Reason, Summary
from contracts.duty.outlets import OutletKind
from contracts.occurrence import StatedOccurrence
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath

HalfYearLabel = Field(
    pattern=r"^2[0-9]{3}-H[12]$",  # no year before 2000 (contracts.inputs.EARLIEST_DATE): year 0 has no date
    description="2025-H1 (January–June) or 2025-H2",
)


class PartyCoverage(StrEnum):
    PARTY_ORGANIZATION = "party_organization"  # 已建立党组织
    LIAISON = "liaison"  # 未建党组织，选派党建联络员（指导员）
    NONE = "none"  # 尚未覆盖


@command("duty.set_inspection_cadence", roles=STRUCTURE)
class SetInspectionCadence(Command):
    """Versioned: each setting holds from ``effective_on`` until the next one of the same kind."""

    unit: UnitPath = Field(description="the city: the cadence holds for every outlet of the kind in it")
    kind: OutletKind
    months: int = Field(ge=1, le=12, description="inspect each outlet at least once every so many months")
    effective_on: date


@event("duty.inspection_cadence_set")
class InspectionCadenceSet(DomainEvent):
    unit: UnitPath
    kind: OutletKind
    months: int
    previous_months: int | None
    effective_on: date


@command("duty.record_half_year_report", roles=RECORDS)
class RecordHalfYearReport(Command, StatedOccurrence):
    """The unit's report on a half-year to the higher party organization was made (``occurred_at``)."""

    unit: UnitPath = Field(description="the office that reported: the city bureau, a county or a township")
    half_year: str = HalfYearLabel
    reported_to: str = Field(min_length=1, max_length=100, description="e.g. 中共苏州市委宣传部")
    summary: Summary | None = None


@event("duty.half_year_report_made")
class HalfYearReportMade(DomainEvent):
    unit: UnitPath
    half_year: str = HalfYearLabel
    reported_to: str
    summary: str | None = None
    reported_at: datetime
    due_at: datetime
    deadline_estimated: bool = Field(description="the year's holiday calendar was not known: weekdays only")
    late: bool


@event("duty.half_year_report_overdue")
class HalfYearReportOverdue(DomainEvent):
    unit: UnitPath
    half_year: str = HalfYearLabel
    due_at: datetime


@command("duty.set_party_coverage", roles=RECORDS)
class SetPartyCoverage(Command):
    unit: UnitPath = Field(description="the social organization (a unit of kind social_organization)")
    coverage: PartyCoverage
    effective_on: date
    note: Reason | None = None


@event("duty.party_coverage_set")
class PartyCoverageSet(DomainEvent):
    unit: UnitPath
    coverage: PartyCoverage
    previous: PartyCoverage | None
    effective_on: date
    note: str | None = None


@command("duty.record_organization_inspection", roles=RECORDS)
class RecordOrganizationInspection(Command):
    inspection_id: EntityId
    unit: UnitPath = Field(description="the social organization inspected")
    inspected_on: date
    inspector: str = Field(min_length=1, max_length=100)
    summary: Summary | None = None


@event("duty.organization_inspected")
class OrganizationInspected(DomainEvent):
    inspection_id: EntityId
    unit: UnitPath
    inspected_on: date
    inspector: str
    summary: str | None = None

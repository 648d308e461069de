"""The response plan (应急预案, versioned) and nil reports (零报告), pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from contracts.opinion import (
    AdoptResponsePlan,
    FileNilReport,
    NilReportFiled,
    ResponsePlanAdopted,
    Severity,
    SeverityLimits,
)
from contracts.registry import DomainEvent
from contracts.units import division_codes
from services.eventkit.errors import AlreadyExists, DomainError, NotFound

NIL_REPORT_GRACE = timedelta(days=7)  # a post may file a late nil report for up to a week back


@dataclass(frozen=True)
class Plans:
    """Every adopted version of one city's response plan."""

    versions: dict[int, dict[Severity, SeverityLimits]] = field(default_factory=dict)

    @property
    def latest(self) -> int | None:
        return max(self.versions) if self.versions else None

    def limits(self, version: int, severity: Severity) -> SeverityLimits:
        return self.versions[version][severity]


def evolve_plans(plans: Plans, event: DomainEvent) -> Plans:
    if isinstance(event, ResponsePlanAdopted):
        return Plans({**plans.versions, event.plan_version: dict(event.limits)})
    return plans


def decide_adopt_plan(plans: Plans, command: AdoptResponsePlan) -> list[DomainEvent]:
    """A new version, adopted by the city bureau; cases already graded keep the version they run under."""
    if "." in command.unit:
        raise DomainError("the response plan is adopted by the city bureau (e.g. 3205)", field="unit")
    version = (plans.latest or 0) + 1
    return [
        ResponsePlanAdopted(plan_version=version, unit=command.unit, limits=command.limits, note=command.note)
    ]


def is_monitoring_post(path: str) -> bool:
    """Offices (city, county, township) are monitoring posts; sections below them are not."""
    return len(division_codes(path)) == len(path.split("."))


def decide_file_nil_report(
    already_filed: bool, unit_known: bool, today: date, command: FileNilReport
) -> list[DomainEvent]:
    """One nil report per post and day, for today or a day of the past week."""
    if already_filed:
        raise AlreadyExists(f"{command.unit} has already filed a nil report for {command.day}", field="day")
    if not is_monitoring_post(command.unit):
        raise DomainError(f"{command.unit} is a section, not a monitoring post (an office)", field="unit")
    if not unit_known:
        raise NotFound(f"unit {command.unit} is not registered", field="unit")
    if command.day > today:
        raise DomainError(f"{command.day} has not come yet", field="day")
    if command.day < today - NIL_REPORT_GRACE:
        raise DomainError(f"{command.day} is more than {NIL_REPORT_GRACE.days} days ago", field="day")
    return [NilReportFiled(unit=command.unit, day=command.day, note=command.note)]

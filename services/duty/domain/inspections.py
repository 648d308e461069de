"""Inspections of outlets against the negative list (负面清单), and the rectifications (整改) they open:
a deadline in working days on the statutory calendar, evidence to close, overdue when the deadline passes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from contracts.duty import (
    AddRectificationEvidence,
    CloseRectification,
    Evidence,
    Finding,
    InspectionRecorded,
    OpenRectification,
    RecordInspection,
    RectificationClosed,
    RectificationEvidenceAdded,
    RectificationOpened,
    RectificationOverdue,
)
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.duty.domain.common import check_acts_through
from services.duty.domain.outlets import Outlet
from services.duty.domain.units import Unit, check_active
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.eventkit.workdays import workday_deadline


@dataclass(frozen=True)
class Inspection:
    inspection_id: str | None = None
    unit: str | None = None
    findings: tuple[Finding, ...] = ()

    def finding(self, finding_id: str) -> Finding | None:
        return next((f for f in self.findings if f.finding_id == finding_id), None)


def evolve_inspection(inspection: Inspection, event: DomainEvent) -> Inspection:
    if isinstance(event, InspectionRecorded):
        return Inspection(event.inspection_id, event.unit, tuple(event.findings))
    return inspection


def decide_record_inspection(
    inspection: Inspection, unit: Unit, outlets: Mapping[str, Outlet], command: RecordInspection, today: date
) -> list[DomainEvent]:
    """Outlets checked must be running outlets of the inspected unit; findings name checked outlets."""
    if inspection.inspection_id is not None:
        raise AlreadyExists(f"inspection {command.inspection_id} is already recorded", field="inspection_id")
    check_active(unit, command.unit, "unit")
    if command.inspected_on > today:
        raise DomainError(
            f"{command.inspected_on} is in the future; record an inspection once held",
            "inspected_on",
            rule="date_in_future",
            params={"date": command.inspected_on, "today": today},
        )
    if len(set(command.outlets_checked)) != len(command.outlets_checked):
        raise DomainError("an outlet is listed twice among the outlets checked", field="outlets_checked")
    for outlet_id in command.outlets_checked:
        outlet = outlets.get(outlet_id, Outlet())
        if not outlet.exists:
            raise NotFound(f"outlet {outlet_id} is not registered", field="outlets_checked")
        if not is_within(outlet.unit or "", command.unit):
            raise DomainError(
                f"{outlet.label} is not in {command.unit}, the inspected unit", "outlets_checked"
            )
        if not outlet.running:
            raise DomainError(
                f"{outlet.label} is closed; closed outlets are not inspected", "outlets_checked"
            )
    finding_ids = [f.finding_id for f in command.findings]
    if len(set(finding_ids)) != len(finding_ids):
        raise DomainError("two findings share an id; number them f1, f2, …", field="findings")
    if stray := [f.outlet_id for f in command.findings if f.outlet_id not in command.outlets_checked]:
        raise DomainError(
            f"findings name outlets that were not checked: {', '.join(stray)}", field="findings"
        )
    return [InspectionRecorded(**command.model_dump())]


@dataclass(frozen=True)
class Rectification:
    rectification_id: str | None = None
    unit: str | None = None
    due_at: datetime | None = None
    evidence: tuple[Evidence, ...] = ()
    overdue: bool = False
    closed: bool = False

    @property
    def label(self) -> str:
        return f"rectification {self.rectification_id}"


def evolve_rectification(rectification: Rectification, event: DomainEvent) -> Rectification:
    if isinstance(event, RectificationOpened):
        return Rectification(event.rectification_id, event.unit, event.due_at)
    if isinstance(event, RectificationEvidenceAdded):
        return replace(rectification, evidence=rectification.evidence + tuple(event.evidence))
    if isinstance(event, RectificationOverdue):
        return replace(rectification, overdue=True)
    if isinstance(event, RectificationClosed):
        return replace(rectification, closed=True, evidence=tuple(event.evidence))
    return rectification


def decide_open_rectification(
    rectification: Rectification,
    inspection: Inspection,
    outlet: Outlet,
    *,
    taken_by: str | None,
    command: OpenRectification,
    now: datetime,
) -> list[DomainEvent]:
    """One rectification per finding, due at the end of the n-th working day after today."""
    if rectification.rectification_id is not None:
        raise AlreadyExists(f"rectification {command.rectification_id} is already open", "rectification_id")
    check_acts_through(inspection.unit, command.unit, f"inspection {command.inspection_id}")  # missing alike
    if inspection.inspection_id is None:
        raise NotFound(f"inspection {command.inspection_id} is not recorded", field="inspection_id")
    finding = inspection.finding(command.finding_id)
    if finding is None:
        raise NotFound(
            f"inspection {command.inspection_id} has no finding {command.finding_id}", field="finding_id"
        )
    if taken_by is not None:
        raise AlreadyExists(
            f"finding {command.finding_id} already has rectification {taken_by}", "finding_id"
        )
    assert outlet.unit is not None
    deadline = workday_deadline(now, command.workdays)
    return [
        RectificationOpened(
            rectification_id=command.rectification_id,
            inspection_id=command.inspection_id,
            finding_id=command.finding_id,
            outlet_id=finding.outlet_id,
            unit=outlet.unit,
            item=finding.item,
            instructions=command.instructions,
            workdays=command.workdays,
            opened_at=now,
            due_at=deadline.due_at,
            deadline_estimated=deadline.estimated,
        )
    ]


def open_rectification(rectification: Rectification, rectification_id: str, unit: str) -> Rectification:
    check_acts_through(rectification.unit, unit, f"rectification {rectification_id}")  # missing alike
    if rectification.rectification_id is None:
        raise NotFound(f"rectification {rectification_id} is not open", field="rectification_id")
    if rectification.closed:
        raise DomainError(f"{rectification.label} is already closed", field="rectification_id")
    return rectification


def decide_add_evidence(rectification: Rectification, command: AddRectificationEvidence) -> list[DomainEvent]:
    open_rectification(rectification, command.rectification_id, command.unit)
    assert rectification.unit is not None
    return [
        RectificationEvidenceAdded(
            rectification_id=command.rectification_id, unit=rectification.unit, evidence=command.evidence
        )
    ]


def decide_close_rectification(
    rectification: Rectification, command: CloseRectification, now: datetime
) -> list[DomainEvent]:
    """A leader signs the fix off, and only with evidence (already added or given now)."""
    open_rectification(rectification, command.rectification_id, command.unit)
    evidence = [*rectification.evidence, *command.evidence]
    if not evidence:
        raise DomainError(
            f"{rectification.label} cannot be closed without evidence: add at least one item "
            "(a photo, a link or a document number) showing the fix",
            field="evidence",
        )
    assert rectification.unit is not None
    assert rectification.due_at is not None
    return [
        RectificationClosed(
            rectification_id=command.rectification_id,
            unit=rectification.unit,
            summary=command.summary,
            evidence=evidence,
            closed_at=now,
            late=rectification.overdue or now > rectification.due_at,
        )
    ]


def decide_flag_overdue(rectification: Rectification, now: datetime) -> list[DomainEvent]:
    """When the deadline timer fires: overdue if still open (closing cancels the timer; this guards a race)."""
    if rectification.rectification_id is None or rectification.closed or rectification.overdue:
        return []
    assert rectification.unit is not None
    assert rectification.due_at is not None
    if now < rectification.due_at:
        return []
    return [
        RectificationOverdue(
            rectification_id=rectification.rectification_id,
            unit=rectification.unit,
            due_at=rectification.due_at,
        )
    ]

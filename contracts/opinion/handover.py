"""Cases that cross sites: the city hands a case to the county site whose subtree handles it, the county
adopts it into its own store, and the city's supervision of it is received there (docs/operations.md,
"Commands across sites")."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.opinion.common import Category, DeadlineKind, Due, Severity, SeverityLimits
from contracts.opinion.events import CaseEvent, OpinionReported
from contracts.registry import event
from contracts.units import UnitPath


class HandedCase(BaseModel):
    """What a county site needs to go on with a case: its place in the loop as the city held it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    state: str
    reported_unit: UnitPath
    dispatchers: list[UnitPath]
    assignee: UnitPath | None = None
    supervisor: UnitPath | None = None
    category: Category | None = None
    severity: Severity | None = None
    owning_unit: UnitPath | None = None
    plan_version: int | None = None
    clock_start: AwareDatetime | None = None
    deadlines: dict[DeadlineKind, Due] = Field(default_factory=dict)
    limits: SeverityLimits | None = Field(
        default=None, description="the response plan's limits it runs under (that site may not have the plan)"
    )


@event("opinion.handed_over")
class OpinionHandedOver(CaseEvent):
    """At the city: the case now lives at the county site ``to_site``; the city only supervises it."""

    to_site: str = Field(description="the county site's division code, e.g. 320506")
    unit: UnitPath = Field(description="the unit that holds it there")
    case: HandedCase
    report: OpinionReported = Field(description="the case as reported, for the county's views")


@event("opinion.adopted")
class OpinionAdopted(CaseEvent):
    """At a county site: the case the city handed over, from now on worked here."""

    from_event: str = Field(description="the city's opinion.handed_over event id")
    unit: UnitPath
    case: HandedCase
    report: OpinionReported


@event("opinion.supervision_received")
class SupervisionReceived(CaseEvent):
    """At a county site: the city's supervision (督办) of a case held here."""

    from_event: str = Field(description="the city's opinion.supervision_started event id")
    supervisor: UnitPath
    reason: str

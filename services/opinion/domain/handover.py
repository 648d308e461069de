"""Cases across sites, pure: which decisions hand a case to a county site, and how a county site adopts
it and receives the city's supervision of it. Each fact is taken at most once per source event (the
reaction's inbox), and a fact meant for another site is ignored."""

from __future__ import annotations

from contracts.opinion import (
    HandedCase,
    OpinionAdopted,
    OpinionHandedOver,
    OpinionReported,
    SeverityLimits,
    SupervisionReceived,
    SupervisionStarted,
)
from contracts.registry import DomainEvent
from contracts.units import division_codes, is_within
from services.opinion.domain.case import Case, CaseState


def site_of(unit: str, sites: frozenset[str]) -> str | None:
    """The county site whose subtree holds ``unit``, if that county runs a site of its own."""
    codes = division_codes(unit)
    return codes[1] if len(codes) >= 2 and codes[1] in sites else None


def site_above(unit: str, scope: str, city_site: str) -> str | None:
    """At a county site of ``scope``: the city's site for a unit outside the county, else None."""
    return None if is_within(unit, scope) else city_site


def snapshot(case: Case, limits: SeverityLimits | None) -> HandedCase:
    return HandedCase(
        state=case.state.value,
        reported_unit=case.reported_unit,
        dispatchers=list(case.dispatchers),
        assignee=case.assignee,
        supervisor=case.supervisor,
        category=case.category,
        severity=case.severity,
        owning_unit=case.owning_unit,
        plan_version=case.plan_version,
        clock_start=case.clock_start,
        deadlines={kind: clock.as_due() for kind, clock in case.deadlines.items() if not clock.missed},
        limits=limits,
    )


def decide_hand_over(
    case: Case, report: OpinionReported, site: str | None, limits: SeverityLimits | None
) -> list[DomainEvent]:
    """An open case whose next move is another site's (a county site's, at the city; the city's, at a
    county site) goes to that site, once, with its report (that site's views may never have seen it)."""
    if site is None or not case.is_open or case.held_at is not None:
        return []
    handed = snapshot(case, limits)
    return [
        OpinionHandedOver(
            case_id=case.case_id,
            drill=case.drill,
            to_site=site,
            unit=case.handler,
            case=handed,
            report=report,
        )
    ]


def decide_adopt(
    case: Case, handed: OpinionHandedOver, event_id: str, own_site: str, from_site: str
) -> list[DomainEvent]:
    """Adopt a case handed to this site: one new here, or one this site had handed to ``from_site`` (the
    site the fact came from) and gets back; anything else is not ours to take."""
    if handed.to_site != own_site:
        return []
    if case.state is not CaseState.NEW and case.held_at != from_site:
        return []
    return [
        OpinionAdopted(
            case_id=handed.case_id,
            drill=handed.drill,
            from_event=event_id,
            unit=handed.unit,
            case=handed.case,
            report=handed.report,
        )
    ]


def decide_receive_supervision(case: Case, started: SupervisionStarted, event_id: str) -> list[DomainEvent]:
    """At a county site: the city's supervision of a case held here shows on it."""
    if case.state is CaseState.NEW:
        return []  # not a case of this site: the city supervises its own
    return [
        SupervisionReceived(
            case_id=case.case_id,
            drill=case.drill,
            from_event=event_id,
            supervisor=started.supervisor,
            reason=started.reason,
        )
    ]

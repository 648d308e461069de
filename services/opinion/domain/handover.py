"""Cases across sites, pure: which decisions hand a case to a county site, and how a county site adopts
it and receives the city's supervision of it. Each fact is taken at most once per source event (the
reaction's inbox), and a fact meant for another site is ignored."""

from __future__ import annotations

from contracts.opinion import (
    HandedCase,
    OpinionAdopted,
    OpinionHandedOver,
    OpinionReported,
    SupervisionReceived,
    SupervisionStarted,
)
from contracts.registry import DomainEvent
from contracts.units import division_codes
from services.opinion.domain.case import Case, CaseState


def site_of(unit: str, sites: frozenset[str]) -> str | None:
    """The county site whose subtree holds ``unit``, if that county runs a site of its own."""
    codes = division_codes(unit)
    return codes[1] if len(codes) >= 2 and codes[1] in sites else None


def snapshot(case: Case) -> HandedCase:
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
    )


def decide_hand_over(case: Case, report: OpinionReported, sites: frozenset[str]) -> list[DomainEvent]:
    """At the city: an open case whose next move is a county site's goes to that site, once, with its
    report (the county's views may never have seen it: a case reported at the city stays there)."""
    site = site_of(case.handler, sites) if case.is_open and case.held_at is None else None
    if site is None:
        return []
    handed = snapshot(case)
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


def decide_adopt(case: Case, handed: OpinionHandedOver, event_id: str, own_site: str) -> list[DomainEvent]:
    """At a county site: adopt a case the city handed to this site; anything else is not ours to take."""
    if handed.to_site != own_site or case.state is not CaseState.NEW:
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

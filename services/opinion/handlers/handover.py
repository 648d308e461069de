"""Cases across sites. Every case decision ends by handing the case to the site that must move next
(handing_over): at the city, a county site's unit; at a county site, a unit above the county (an
escalation to the city). The receiving site takes it by a deciding reaction (take_over): the hand-over
adopted into its own store, and, at a county site, the city's supervision received on its case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from contracts.envelope import EventEnvelope
from contracts.opinion import OpinionAdopted, OpinionHandedOver, OpinionReported, SupervisionStarted
from contracts.registry import DomainEvent
from contracts.units import division_codes
from services.eventkit.aggregates import first_event, load
from services.eventkit.commanding import CommandContext, Decided, Decision, Handler, Handlers, Outcome
from services.eventkit.natsdeploy import CITY_DOMAIN
from services.opinion.aggregates import CASE, case_stream
from services.opinion.domain import handover
from services.opinion.domain.case import evolve
from services.opinion.handlers.session import case_limits, conclude

Route = Callable[[str], str | None]  # the unit that must move next → the site to hand the case to


def route_for(scope: str, county_sites: frozenset[str]) -> Route | None:
    """Where this site hands cases: the city to its county sites, a county site up to the city."""
    if own_site(scope) != CITY_DOMAIN:
        return lambda unit: handover.site_above(unit, scope, CITY_DOMAIN)
    if county_sites:
        return lambda unit: handover.site_of(unit, county_sites)
    return None


def own_site(scope: str) -> str:
    """The site a scope runs: ``city`` for a city, the county's code for a county site."""
    codes = division_codes(scope)
    return codes[1] if len(codes) == 2 else CITY_DOMAIN


def handing_over(handlers: Handlers, route: Route | None) -> Handlers:
    """The handlers, each followed by the hand-over its decision calls for."""
    if route is None:
        return dict(handlers)
    return {model: _then_hand_over(handler, route) for model, handler in handlers.items()}


def _then_hand_over(handler: Handler, route: Route) -> Handler:
    async def handle(ctx: CommandContext, command: object) -> Decided:
        decided = await handler(ctx, command)
        if isinstance(decided, Decision):
            return await _hand_over(ctx, decided, route)
        if isinstance(decided, Outcome):
            decisions = [await _hand_over(ctx, d, route) for d in decided.decisions]
            return Outcome(decisions, decided.result)
        return decided

    return handle


async def _hand_over(ctx: CommandContext, decision: Decision, route: Route) -> Decision:
    """``decision`` plus, for a case another site must move next, the hand-over (same stream, same commit)."""
    if not decision.stream_id.startswith(case_stream("")) or not decision.events:
        return decision
    before, _ = await load(ctx, CASE, decision.stream_id.removeprefix(case_stream("")))
    case = before
    for event in decision.events:
        case = evolve(case, event)
    site = route(case.handler)
    if site is None or case.held_at is not None:
        return decision
    limits = await case_limits(ctx, case)
    handed = handover.decide_hand_over(case, await _report(ctx, decision), site, limits)
    # Going up, the events stay under the unit that sent them: a county site's events go up only from
    # its own subtree (the hub's source filter).
    unitpath = before.handler if site == CITY_DOMAIN else decision.unitpath
    return replace(decision, events=[*decision.events, *handed], unitpath=unitpath)


async def _report(ctx: CommandContext, decision: Decision) -> OpinionReported:
    """The case's report: its stream's first event (a report, or an adoption carrying it)."""
    first = await first_event(ctx, decision.stream_id) or decision.events[0]
    if isinstance(first, OpinionAdopted):
        return first.report
    assert isinstance(first, OpinionReported)  # every case stream starts with its report or adoption
    return first


async def take_over(ctx: CommandContext, event: DomainEvent, envelope: EventEnvelope) -> Decided:
    """Another site's hand-over of a case, or (at a county site) the city's supervision of one held
    here: applied once per source event."""
    if not isinstance(event, OpinionHandedOver | SupervisionStarted):
        return None
    case, version = await load(ctx, CASE, event.case_id)
    here = own_site(ctx.actor.scope)
    if isinstance(event, OpinionHandedOver):
        # Where it came from: at the city, the county whose subtree the fact is under (the hub sources
        # each county's own subtree only); at a county site, the city (its only source).
        source = (
            own_site(".".join(division_codes(envelope.unitpath)[:2])) if here == CITY_DOMAIN else CITY_DOMAIN
        )
        events: list[DomainEvent] = handover.decide_adopt(case, event, envelope.id, here, source)
    elif here != CITY_DOMAIN:
        events = handover.decide_receive_supervision(case, event, envelope.id)
    else:
        events = []
    return await conclude(ctx, case, version, events) if events else None

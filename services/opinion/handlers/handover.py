"""Cases across sites: at the city, every case decision ends by handing the case to the county site that
must move next (handing_over); at a county site, what the city sends about such cases is taken by a
deciding reaction (from_city): the hand-over adopted into this site's store, the city's supervision
received on the adopted case."""

from __future__ import annotations

from dataclasses import replace

from contracts.envelope import EventEnvelope
from contracts.opinion import OpinionHandedOver, OpinionReported, SupervisionStarted
from contracts.registry import REGISTRY, DomainEvent
from contracts.units import division_codes
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decided, Decision, Handler, Handlers, Outcome
from services.opinion.aggregates import CASE, case_stream
from services.opinion.domain import handover
from services.opinion.domain.case import evolve
from services.opinion.handlers.session import conclude


def handing_over(handlers: Handlers, sites: frozenset[str]) -> Handlers:
    """The city's handlers, each followed by the hand-over its decision calls for."""
    if not sites:
        return dict(handlers)
    return {model: _then_hand_over(handler, sites) for model, handler in handlers.items()}


def _then_hand_over(handler: Handler, sites: frozenset[str]) -> Handler:
    async def handle(ctx: CommandContext, command: object) -> Decided:
        decided = await handler(ctx, command)
        if isinstance(decided, Decision):
            return await _hand_over(ctx, decided, sites)
        if isinstance(decided, Outcome):
            decisions = [await _hand_over(ctx, d, sites) for d in decided.decisions]
            return Outcome(decisions, decided.result)
        return decided

    return handle


async def _hand_over(ctx: CommandContext, decision: Decision, sites: frozenset[str]) -> Decision:
    """``decision`` plus, for a case now a county site's to move, the hand-over (same stream, same commit)."""
    if not decision.stream_id.startswith(case_stream("")) or not decision.events:
        return decision
    case, _ = await load(ctx, CASE, decision.stream_id.removeprefix(case_stream("")))
    for event in decision.events:
        case = evolve(case, event)
    if case.held_at is not None or handover.site_of(case.handler, sites) is None:
        return decision
    report = await _report(ctx, decision)
    handed = handover.decide_hand_over(case, report, sites)
    if not handed:
        return decision
    return replace(decision, events=[*decision.events, *handed])


async def _report(ctx: CommandContext, decision: Decision) -> OpinionReported:
    """The case's report: the first event of its stream (or of this decision, for a new case)."""
    stored = await ctx.store.read_stream(decision.stream_id, conn=ctx.conn)
    first = REGISTRY.decode(stored[0].envelope) if stored else decision.events[0]
    assert isinstance(first, OpinionReported)  # every case stream starts with its report
    return first


async def from_city(ctx: CommandContext, event: DomainEvent, envelope: EventEnvelope) -> Decided:
    """At a county site: the city's hand-over or supervision of a case, once per city event."""
    if not isinstance(event, OpinionHandedOver | SupervisionStarted):
        return None
    case, version = await load(ctx, CASE, event.case_id)
    codes = division_codes(ctx.actor.scope)
    own_site = codes[1] if len(codes) == 2 else ""
    if isinstance(event, OpinionHandedOver):
        events: list[DomainEvent] = handover.decide_adopt(case, event, envelope.id, own_site)
    else:
        events = handover.decide_receive_supervision(case, event, envelope.id)
    return await conclude(ctx, case, version, events) if events else None

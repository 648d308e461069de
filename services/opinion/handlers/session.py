"""Loading what opinion decisions need (a case, the response plan, known units) and finishing a decision:
fold the new events, re-arm the case's timers in the same transaction, and name the stream to append to."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.opinion import SeverityLimits
from contracts.registry import DomainEvent
from contracts.units import division_codes
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date
from services.eventkit.timers import Timer, cancel, schedule
from services.opinion import tables
from services.opinion.aggregates import CASE, PLANS, case_stream
from services.opinion.domain.case import Case, CaseState, evolve, missing_case
from services.opinion.domain.deadlines import fire_at, wanted_timers
from services.opinion.domain.plans import Plans


async def load_visible_case(ctx: CommandContext, case_id: str) -> tuple[Case, int]:
    """The case as ``load(ctx, CASE, case_id)`` gives it; one the actor's subtree has no part in is answered as missing,
    so a refusal never names the units of a case the actor cannot see."""
    case, version = await load(ctx, CASE, case_id)
    if case.state is not CaseState.NEW and not case.seen_from(ctx.actor.scope):
        raise missing_case(case_id)
    return case, version


async def load_plans(ctx: CommandContext, unit: str) -> tuple[Plans, int]:
    """The response plan versions of the city ``unit`` belongs to."""
    return await load(ctx, PLANS, division_codes(unit)[0])


async def case_limits(ctx: CommandContext, case: Case) -> SeverityLimits | None:
    """The limits a graded case runs under: its severity in the plan version it was graded with (a case
    handed over from another site brought them)."""
    if case.plan_version is None or case.severity is None:
        return None
    plans, _ = await load_plans(ctx, case.reported_unit)
    if case.plan_version not in plans.versions:  # a case handed over by a site that has the plan
        return case.handed_limits
    return plans.limits(case.plan_version, case.severity)


async def unit_known(ctx: CommandContext, path: str) -> bool:
    return await tables.UNITS.active_on(ctx.conn, path, local_date(ctx.now))


async def sync_timers(ctx: CommandContext, before: Case, after: Case, keep: str | None = None) -> None:
    """Cancel the timers the case no longer needs and schedule the new ones (same transaction)."""
    old, new = wanted_timers(before), wanted_timers(after)
    for timer_id in old.keys() - new.keys() - {keep}:
        await cancel(ctx.conn, tables.SCHEMA, timer_id)
    for timer_id in new.keys() - old.keys():
        wanted = new[timer_id]
        due = fire_at(wanted.due_at, ctx.now)
        await schedule(ctx.conn, tables.SCHEMA, Timer(timer_id, wanted.kind, due, wanted.payload))


async def conclude(
    ctx: CommandContext, case: Case, version: int, events: Sequence[DomainEvent], keep: str | None = None
) -> Decision:
    """The decision to append ``events`` to the case, its timers already brought in line."""
    after = case
    for event in events:
        after = evolve(after, event)
    await sync_timers(ctx, case, after, keep)
    return Decision(case_stream(after.case_id), version, after.handler, events)

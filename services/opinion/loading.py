"""Loading what opinion decisions need (a case, the response plan, known units) and finishing a decision:
fold the new events, re-arm the case's timers in the same transaction, and name the stream to append to."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.opinion import SeverityLimits
from contracts.registry import REGISTRY, DomainEvent
from contracts.units import division_codes
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date
from services.eventkit.timers import Timer, cancel, schedule
from services.opinion.deadlines import wanted_timers
from services.opinion.domain import Case, CaseState, evolve, missing_case
from services.opinion.plans import Plans, evolve_plans

SCHEMA = "opinion"


def case_stream(case_id: str) -> str:
    return f"opinion:{case_id}"


def plan_stream(city: str) -> str:
    return f"response_plan:{city}"


def nil_report_stream(unit: str, day: str) -> str:
    return f"nil_report:{unit}:{day}"


async def load_case(ctx: CommandContext, case_id: str) -> tuple[Case, int]:
    case, version = Case(), 0
    for stored in await ctx.store.read_stream(case_stream(case_id), conn=ctx.conn):
        case, version = evolve(case, REGISTRY.decode(stored.envelope)), stored.envelope.streamversion
    return case, version


async def load_visible_case(ctx: CommandContext, case_id: str) -> tuple[Case, int]:
    """The case as load_case gives it; one the actor's subtree has no part in is answered as missing,
    so a refusal never names the units of a case the actor cannot see."""
    case, version = await load_case(ctx, case_id)
    if case.state is not CaseState.NEW and not case.seen_from(ctx.actor.scope):
        raise missing_case(case_id)
    return case, version


async def load_plans(ctx: CommandContext, unit: str) -> tuple[Plans, int]:
    """The response plan versions of the city ``unit`` belongs to."""
    plans, version = Plans(), 0
    for stored in await ctx.store.read_stream(plan_stream(division_codes(unit)[0]), conn=ctx.conn):
        plans, version = evolve_plans(plans, REGISTRY.decode(stored.envelope)), stored.envelope.streamversion
    return plans, version


async def case_limits(ctx: CommandContext, case: Case) -> SeverityLimits | None:
    """The limits a graded case runs under: its severity in the plan version it was graded with."""
    if case.plan_version is None or case.severity is None:
        return None
    plans, _ = await load_plans(ctx, case.reported_unit)
    return plans.limits(case.plan_version, case.severity)


async def unit_known(ctx: CommandContext, path: str) -> bool:
    """Registered in duty (learned from its events) and not retired by today."""
    row = await ctx.conn.fetchrow(f"SELECT retired_on FROM {SCHEMA}.known_units WHERE path = $1", path)
    return row is not None and (row["retired_on"] is None or row["retired_on"] > local_date(ctx.now))


async def sync_timers(ctx: CommandContext, before: Case, after: Case, keep: str | None = None) -> None:
    """Cancel the timers the case no longer needs and schedule the new ones (same transaction)."""
    old, new = wanted_timers(before), wanted_timers(after)
    for timer_id in old.keys() - new.keys() - {keep}:
        await cancel(ctx.conn, SCHEMA, timer_id)
    for timer_id in new.keys() - old.keys():
        wanted = new[timer_id]
        await schedule(ctx.conn, SCHEMA, Timer(timer_id, wanted.kind, wanted.due_at, wanted.payload))


async def conclude(
    ctx: CommandContext, case: Case, version: int, events: Sequence[DomainEvent], keep: str | None = None
) -> Decision:
    """The decision to append ``events`` to the case, its timers already brought in line."""
    after = case
    for event in events:
        after = evolve(after, event)
    await sync_timers(ctx, case, after, keep)
    return Decision(case_stream(after.case_id), version, after.handler, events)

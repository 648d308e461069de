"""Timer handlers: a deadline passing and the overdue ladder's next rung. Each runs in the firing
transaction; a timer the case no longer wants (met, moved, closed) fires into nothing."""

from __future__ import annotations

from contracts.opinion import DeadlineKind
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.timers import Timer
from services.opinion.aggregates import CASE
from services.opinion.domain.deadlines import (
    decide_deadline_missed,
    decide_ladder_step,
    wanted_timers,
)
from services.opinion.handlers.session import case_limits, conclude


async def deadline_passed(ctx: CommandContext, timer: Timer) -> Decision | None:
    case, version = await load(ctx, CASE, str(timer.payload["case_id"]))
    limits = await case_limits(ctx, case)
    if timer.timer_id not in wanted_timers(case) or limits is None:
        return None
    kind = DeadlineKind(timer.payload["deadline"])
    events = decide_deadline_missed(case, kind, ctx.now, limits)
    return await conclude(ctx, case, version, events, keep=timer.timer_id) if events else None


async def ladder_step(ctx: CommandContext, timer: Timer) -> Decision | None:
    case, version = await load(ctx, CASE, str(timer.payload["case_id"]))
    limits = await case_limits(ctx, case)
    if timer.timer_id not in wanted_timers(case) or limits is None:
        return None
    events = decide_ladder_step(case, ctx.now, limits)
    return await conclude(ctx, case, version, events, keep=timer.timer_id) if events else None

"""Response plan and nil report handlers: load, decide (domain/plans.py), return the decision."""

from __future__ import annotations

from contracts.opinion import AdoptResponsePlan, FileNilReport
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date
from services.opinion.aggregates import nil_report_stream, plan_stream
from services.opinion.domain.plans import decide_adopt_plan, decide_file_nil_report
from services.opinion.handlers.session import load_plans, unit_known


async def adopt_response_plan(ctx: CommandContext, command: AdoptResponsePlan) -> Decision:
    plans, version = await load_plans(ctx, command.unit)
    return Decision(plan_stream(command.unit), version, command.unit, decide_adopt_plan(plans, command))


async def file_nil_report(ctx: CommandContext, command: FileNilReport) -> Decision:
    stream = nil_report_stream(command.unit, command.day.isoformat())
    version = await ctx.store.stream_version(stream, conn=ctx.conn)
    known = await unit_known(ctx, command.unit)
    events = decide_file_nil_report(version > 0, known, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)

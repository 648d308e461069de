"""Opinion command handlers: load the case (and the plan or units it needs), settle when the step
happened (domain/occurrence.py), decide as of then, conclude."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from contracts.opinion import (
    AssignOpinion,
    GradeOpinion,
    IngestItem,
    ReopenOpinion,
    ReportOpinion,
    ingested_case_id,
)
from contracts.registry import DomainEvent
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision, Outcome
from services.opinion import tables
from services.opinion.aggregates import CASE
from services.opinion.domain import closed_loop as rules
from services.opinion.domain.case import Case
from services.opinion.domain.occurrence import occurred, stamped
from services.opinion.handlers.session import case_limits, conclude, load_plans, load_visible_case, unit_known


async def report(ctx: CommandContext, command: ReportOpinion) -> Decision:
    case, version = await load(ctx, CASE, command.case_id)
    known = await unit_known(ctx, command.unit)
    return await conclude(
        ctx, case, version, rules.decide_report(case, command.case_id, known, ctx.now, command)
    )


async def ingest_item(ctx: CommandContext, command: IngestItem) -> Outcome:
    """A monitoring system's item; a repeat of (source, external id) replies with the original case."""
    case_id = ingested_case_id(command.source, command.external_id)
    # The case first, the repeat check second: each statement sees what has committed by then, so a
    # twin that committed after we read the case is found below, and one that commits later still
    # makes our insert fail and the command bus run us again. (The other order let a twin commit in
    # between, and the case then looked "already reported" instead of repeated.)
    case, version = await load(ctx, CASE, case_id)
    original = await tables.ingested_case(ctx.conn, command.source, command.external_id)
    if original is not None:
        return Outcome([], {"case_id": original, "duplicate": True})
    known = await unit_known(ctx, command.unit)
    events = rules.decide_report(case, case_id, known, ctx.now, command)
    # Same transaction as the events: a concurrent twin hits the primary key and is retried as a repeat.
    await tables.record_ingested(ctx.conn, command.source, command.external_id, case_id)
    return Outcome([await conclude(ctx, case, version, events)], {"case_id": case_id, "duplicate": False})


async def grade(ctx: CommandContext, command: GradeOpinion) -> Decision:
    case, version = await load_visible_case(ctx, command.case_id)
    owner_known = command.owning_unit is not None and await unit_known(ctx, command.owning_unit)
    plan = None
    if command.severity is not None:
        plans, _ = await load_plans(ctx, case.reported_unit or command.unit)
        plan_version = case.plan_version or plans.latest
        if plan_version is not None:
            plan = (plan_version, plans.limits(plan_version, command.severity))
    at = occurred(case, command, ctx.now)
    events = rules.decide_grade(case, command, owner_known, plan, at)
    return await conclude(ctx, case, version, stamped(events, at, command))


async def assign(ctx: CommandContext, command: AssignOpinion) -> Decision:
    case, version = await load_visible_case(ctx, command.case_id)
    limits = await case_limits(ctx, case)
    known = await unit_known(ctx, command.to_unit)
    at = occurred(case, command, ctx.now)
    events = rules.decide_assign(case, command, known, limits, at)
    return await conclude(ctx, case, version, stamped(events, at, command))


async def reopen(ctx: CommandContext, command: ReopenOpinion) -> Decision:
    case, version = await load_visible_case(ctx, command.case_id)
    limits = await case_limits(ctx, case)
    at = occurred(case, command, ctx.now)
    events = rules.decide_reopen(case, command, limits, at)
    return await conclude(ctx, case, version, stamped(events, at, command))


def simple(
    decide: Callable[[Case, Any], list[DomainEvent]],
) -> Callable[[CommandContext, Any], Awaitable[Decision]]:
    """A handler for a case command whose rule needs only the case."""

    async def handle(ctx: CommandContext, command: Any) -> Decision:
        case, version = await load_visible_case(ctx, command.case_id)
        at = occurred(case, command, ctx.now)
        return await conclude(ctx, case, version, stamped(decide(case, command), at, command))

    return handle

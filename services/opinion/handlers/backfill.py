"""The opinion back-fill handler: up to 500 past items with their grading, decided row by row
(domain/backfill.py); each new case is noted as ingested (so ingest later answers it as a repeat) and
concluded like any case step, its response timers armed in the same transaction."""

from __future__ import annotations

from contracts.opinion import ReportItems
from contracts.units import division_codes
from services.eventkit.aggregates import load_many
from services.eventkit.bulkrows import report
from services.eventkit.commanding import CommandContext, Outcome
from services.opinion import tables
from services.opinion.aggregates import CASE, PLANS
from services.opinion.domain.backfill import check_item_rows, decide_report_items
from services.opinion.domain.case import Case
from services.opinion.handlers.session import conclude, unit_known


async def report_items(ctx: CommandContext, command: ReportItems) -> Outcome:
    rows, failed = check_item_rows(command, ctx.now)
    loaded = await load_many(ctx, CASE, [checked.record_id for checked in rows])
    units = {checked.row.unit for checked in rows}
    units |= {checked.row.grade.owning_unit for checked in rows if checked.row.grade.owning_unit}
    known = {path for path in sorted(units) if await unit_known(ctx, path)}
    plans = await load_many(ctx, PLANS, sorted({division_codes(path)[0] for path in units}))
    decisions, outcomes = decide_report_items(
        command.source,
        rows,
        cases={case_id: case for case_id, (case, _) in loaded.items()},
        known_units=known,
        plans={city: found for city, (found, _) in plans.items()},
        now=ctx.now,
    )
    appended = []
    by_id = {checked.record_id: checked.row for checked in rows}
    for decided in decisions:
        # Same transaction as the events: a concurrent twin hits the primary key and the bus retries.
        await tables.record_ingested(
            ctx.conn, command.source, by_id[decided.record_id].external_id, decided.record_id
        )
        appended.append(await conclude(ctx, Case(), loaded[decided.record_id][1], decided.events))
    return Outcome(appended, report(outcomes + failed))

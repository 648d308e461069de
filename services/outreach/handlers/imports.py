"""The bulk import handler: up to 500 rows, one Decision per new activity, all appended in one
transaction together with the (source, external id) rows that make a repeated row a duplicate."""

from __future__ import annotations

import logging

from contracts.outreach import ActivityRow, LogActivities
from services.eventkit.aggregates import load_many
from services.eventkit.commanding import CommandContext, Decision, Outcome
from services.eventkit.localtime import local_date
from services.outreach import tables
from services.outreach.aggregates import ACTIVITY, TAXONOMY, activity_stream
from services.outreach.domain.imports import check_rows, decide_import, report
from services.outreach.domain.rows import CheckedRow
from services.outreach.domain.taxonomy import Taxonomy, city_of

log = logging.getLogger(__name__)


async def taxonomies_named(ctx: CommandContext, rows: list[CheckedRow[ActivityRow]]) -> dict[str, Taxonomy]:
    """The taxonomies of the cities whose rows name a subtype (none read for a batch without subtypes)."""
    cities = {city_of(checked.row.unit) for checked in rows if checked.row.subtype}
    loaded = await load_many(ctx, TAXONOMY, cities)
    return {city: taxonomy for city, (taxonomy, _) in loaded.items()}


async def log_activities(ctx: CommandContext, command: LogActivities) -> Outcome:
    rows, failed = check_rows(command, ctx.now)
    # The activities first, the repeat check second (as opinion's ingest does): a concurrent import of
    # the same record that commits in between is then found as a repeat, not seen as an activity
    # logged twice; one that commits later makes our insert fail and the bus run us again.
    loaded = await load_many(ctx, ACTIVITY, [checked.record_id for checked in rows])
    imported = await tables.already_imported(ctx.conn, command.source, [c.row.external_id for c in rows])
    decisions, outcomes = decide_import(
        command.source,
        rows,
        already_imported=imported,
        activities={activity_id: state for activity_id, (state, _) in loaded.items()},
        known_units=await tables.UNITS.known_among(ctx.conn, {checked.row.unit for checked in rows}),
        retired=await tables.UNITS.retired_among(ctx.conn, {checked.row.unit for checked in rows}),
        today=local_date(ctx.now),
        taxonomies=await taxonomies_named(ctx, rows),
    )
    if decisions:
        await tables.record_imported(
            ctx.conn,
            command.source,
            [d.row.row.external_id for d in decisions],
            [d.activity_id for d in decisions],
            [d.row.number for d in decisions],
        )
    result = report(outcomes + failed)
    log.info(
        "import batch",
        extra={
            "source": command.source,
            "imported": result["imported"],
            "duplicate": result["duplicate"],
            "failed": result["failed"],
        },
    )
    appended = [
        Decision(activity_stream(d.activity_id), loaded[d.activity_id][1], d.unit, d.events)
        for d in decisions
    ]
    return Outcome(appended, result)

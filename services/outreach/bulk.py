"""The bulk import handler: up to 500 rows, one Decision per new activity, all appended in one
transaction together with the (source, external id) rows that make a repeated row a duplicate."""

from __future__ import annotations

import logging

from contracts.outreach import LogActivities
from contracts.registry import REGISTRY
from services.eventkit.commanding import CommandContext, Decision, Outcome
from services.eventkit.localtime import local_date
from services.outreach.domain import Activity, evolve_activity
from services.outreach.imports import check_rows, decide_import, report
from services.outreach.loading import activity_stream

log = logging.getLogger(__name__)


async def log_activities(ctx: CommandContext, command: LogActivities) -> Outcome:
    rows, failed = check_rows(command, ctx.now)
    # The activities first, the repeat check second (as opinion's ingest does): a concurrent import of
    # the same record that commits in between is then found as a repeat, not seen as an activity
    # logged twice; one that commits later makes our insert fail and the bus run us again.
    streams = await ctx.store.read_streams([activity_stream(c.activity_id) for c in rows], conn=ctx.conn)
    imported = await ctx.conn.fetch(
        "SELECT external_id, activity_id FROM outreach.imported_activities"
        " WHERE source = $1 AND external_id = ANY($2::text[])",
        command.source,
        [checked.row.external_id for checked in rows],
    )
    activities: dict[str, Activity] = {}
    for checked in rows:
        activity = Activity()
        for stored in streams[activity_stream(checked.activity_id)]:
            activity = evolve_activity(activity, REGISTRY.decode(stored.envelope))
        activities[checked.activity_id] = activity
    known = await ctx.conn.fetch(
        "SELECT path FROM outreach.known_units WHERE path = ANY($1::text[])",
        sorted({checked.row.unit for checked in rows}),
    )
    decisions, outcomes = decide_import(
        command.source,
        rows,
        already_imported={row["external_id"]: row["activity_id"] for row in imported},
        activities=activities,
        known_units={row["path"] for row in known},
        today=local_date(ctx.now),
    )
    if decisions:
        # A plain insert: a concurrent import of the same record makes this transaction fail and the
        # command bus run it again, when the record is found above and reported as a duplicate.
        await ctx.conn.execute(
            "INSERT INTO outreach.imported_activities (source, external_id, activity_id, row_number)"
            " SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[])",
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
        Decision(
            activity_stream(d.activity_id), len(streams[activity_stream(d.activity_id)]), d.unit, d.events
        )
        for d in decisions
    ]
    return Outcome(appended, result)

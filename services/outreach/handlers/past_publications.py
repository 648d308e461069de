"""The publications back-fill handler: up to 500 published pieces, each with its three reviews, decided
row by row (domain/past_publications.py) and appended to each piece's own stream."""

from __future__ import annotations

from contracts.outreach_backfill import RecordPublications
from services.eventkit.aggregates import load_many
from services.eventkit.bulkrows import report
from services.eventkit.commanding import CommandContext, Decision, Outcome
from services.outreach import tables
from services.outreach.aggregates import PUBLICATION, publication_stream
from services.outreach.domain.past_publications import check_publication_rows, decide_record_publications


async def record_publications(ctx: CommandContext, command: RecordPublications) -> Outcome:
    # The publication id is derived from (source, external id), so its stream is the duplicate check: a
    # concurrent batch that records the same piece first makes our append conflict and the bus retry.
    rows, failed = check_publication_rows(command, ctx.now)
    loaded = await load_many(ctx, PUBLICATION, [checked.record_id for checked in rows])
    units = {checked.row.unit for checked in rows}
    decisions, outcomes = decide_record_publications(
        rows,
        publications={publication_id: state for publication_id, (state, _) in loaded.items()},
        known_units=await tables.UNITS.known_among(ctx.conn, units),
        retired=await tables.UNITS.retired_among(ctx.conn, units),
        outlets=await tables.find_outlets(ctx.conn, [checked.row.outlet_id for checked in rows]),
        now=ctx.now,
    )
    appended = [
        Decision(publication_stream(d.record_id), loaded[d.record_id][1], d.unit, d.events) for d in decisions
    ]
    return Outcome(appended, report(outcomes + failed))

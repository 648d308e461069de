"""Meeting command handlers: load the meeting(s), decide (domain/meetings.py), return the decision."""

from __future__ import annotations

from contracts.outreach_meetings import RecordMeeting, RecordMeetings
from services.eventkit.aggregates import load, load_many
from services.eventkit.commanding import CommandContext, Decision, Outcome
from services.eventkit.localtime import local_date
from services.outreach import tables
from services.outreach.aggregates import MEETING, meeting_stream
from services.outreach.domain.meetings import (
    check_meeting_rows,
    decide_record_meeting,
    decide_record_meetings,
)
from services.outreach.domain.rows import report


async def record_meeting(ctx: CommandContext, command: RecordMeeting) -> Decision:
    meeting, version = await load(ctx, MEETING, command.meeting_id)
    known = await tables.UNITS.known_on(ctx.conn, command.unit, command.facts.held_on)
    events = decide_record_meeting(meeting, known, local_date(ctx.now), command)
    return Decision(meeting_stream(command.meeting_id), version, command.unit, events)


async def record_meetings(ctx: CommandContext, command: RecordMeetings) -> Outcome:
    # The meeting id is derived from (source, external id), so its stream is the duplicate check: a
    # concurrent batch that records the same meeting first makes our append conflict and the bus retry.
    rows, failed = check_meeting_rows(command, ctx.now)
    loaded = await load_many(ctx, MEETING, [checked.record_id for checked in rows])
    decisions, outcomes = decide_record_meetings(
        command.source,
        rows,
        meetings={meeting_id: state for meeting_id, (state, _) in loaded.items()},
        known_units=await tables.UNITS.known_among(ctx.conn, {checked.row.unit for checked in rows}),
        today=local_date(ctx.now),
        retired=await tables.UNITS.retired_among(ctx.conn, {checked.row.unit for checked in rows}),
    )
    appended = [
        Decision(meeting_stream(d.meeting_id), loaded[d.meeting_id][1], d.unit, d.events) for d in decisions
    ]
    return Outcome(appended, report(outcomes + failed))

"""Field-survey and award handlers: load the record, decide (domain/records.py), return the decision."""

from __future__ import annotations

from contracts.outreach_records import RecordAward, RecordFieldSurvey
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date
from services.outreach import tables
from services.outreach.aggregates import AWARD, SURVEY, award_stream, survey_stream
from services.outreach.domain.records import decide_record_award, decide_record_field_survey


async def record_field_survey(ctx: CommandContext, command: RecordFieldSurvey) -> Decision:
    state, version = await load(ctx, SURVEY, command.survey_id)
    known = await tables.UNITS.known_on(ctx.conn, command.unit, command.held_on)
    events = decide_record_field_survey(state, known, local_date(ctx.now), command)
    return Decision(survey_stream(command.survey_id), version, command.unit, events)


async def record_award(ctx: CommandContext, command: RecordAward) -> Decision:
    state, version = await load(ctx, AWARD, command.award_id)
    known = await tables.UNITS.known_on(ctx.conn, command.unit, command.awarded_on)
    events = decide_record_award(state, known, local_date(ctx.now), command)
    return Decision(award_stream(command.award_id), version, command.unit, events)

"""Submission handlers: load the item, decide (domain/submissions.py), return the decision."""

from __future__ import annotations

from contracts.outreach_submissions import RecordAdoption, RecordSubmission
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date
from services.outreach import tables
from services.outreach.aggregates import SUBMISSION, submission_stream
from services.outreach.domain.submissions import decide_record_adoption, decide_record_submission


async def record_submission(ctx: CommandContext, command: RecordSubmission) -> Decision:
    submission, version = await load(ctx, SUBMISSION, command.submission_id)
    known = await tables.UNITS.known(ctx.conn, command.unit)
    events = decide_record_submission(submission, known, local_date(ctx.now), command)
    return Decision(submission_stream(command.submission_id), version, command.unit, events)


async def record_adoption(ctx: CommandContext, command: RecordAdoption) -> Decision:
    submission, version = await load(ctx, SUBMISSION, command.submission_id)
    events = decide_record_adoption(submission, local_date(ctx.now), command)
    return Decision(submission_stream(command.submission_id), version, command.unit, events)

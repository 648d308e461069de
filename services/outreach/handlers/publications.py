"""Publication command handlers (三审三校): load the publication and its outlet, decide, append."""

from __future__ import annotations

from contracts.outreach import (
    Publish,
    RecordViews,
    ReviewPublication,
    RevisePublication,
    SubmitPublication,
)
from contracts.outreach_proofreads import ProofreadPublication
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date
from services.outreach import tables
from services.outreach.aggregates import PUBLICATION, publication_stream
from services.outreach.domain.proofreads import decide_proofread
from services.outreach.domain.publications import (
    Publication,
    decide_publish,
    decide_record_views,
    decide_review,
    decide_revise,
    decide_submit,
    stage_time,
    stamped,
)


async def loaded(ctx: CommandContext, publication_id: str) -> tuple[str, Publication, int]:
    stream = publication_stream(publication_id)
    publication, version = await load(ctx, PUBLICATION, publication_id)
    return stream, publication, version


async def submit_publication(ctx: CommandContext, command: SubmitPublication) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    at = stage_time(publication, command, ctx.now)
    known = await tables.UNITS.known_on(ctx.conn, command.unit, local_date(at))
    outlet = await tables.find_outlet(ctx.conn, command.outlet_id)
    events = stamped(decide_submit(publication, known, outlet, ctx.actor.id, command), at, command)
    return Decision(stream, version, command.unit, events)


async def review_publication(ctx: CommandContext, command: ReviewPublication) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    at = stage_time(publication, command, ctx.now)
    events = stamped(decide_review(publication, ctx.actor.id, ctx.actor.roles, command), at, command)
    return Decision(stream, version, command.unit, events)


async def revise_publication(ctx: CommandContext, command: RevisePublication) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    outlet = await tables.find_outlet(ctx.conn, command.outlet_id) if command.outlet_id else None
    at = stage_time(publication, command, ctx.now)
    events = stamped(decide_revise(publication, outlet, ctx.actor.id, command), at, command)
    return Decision(stream, version, command.unit, events)


async def publish(ctx: CommandContext, command: Publish) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    outlet = await tables.find_outlet(ctx.conn, publication.outlet_id) if publication.outlet_id else None
    await tables.UNITS.known_on(ctx.conn, command.unit, command.published_on)  # not merged away by then
    events = decide_publish(publication, outlet, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


async def record_views(ctx: CommandContext, command: RecordViews) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    events = decide_record_views(publication, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


async def proofread_publication(ctx: CommandContext, command: ProofreadPublication) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    at = stage_time(publication, command, ctx.now)
    events = stamped(decide_proofread(publication, ctx.actor.id, command), at, command)
    return Decision(stream, version, command.unit, events)

"""Publication command handlers (三审三校): load the publication and its outlet, decide, append."""

from __future__ import annotations

from contracts.outreach import (
    Publish,
    RecordViews,
    ReviewPublication,
    RevisePublication,
    SubmitPublication,
)
from services.eventkit.commanding import CommandContext, Decision, Handlers
from services.eventkit.localtime import local_date
from services.outreach.loading import load, publication_stream, unit_known
from services.outreach.publications import (
    Outlet,
    Publication,
    decide_publish,
    decide_record_views,
    decide_review,
    decide_revise,
    decide_submit,
    evolve_publication,
)


async def find_outlet(ctx: CommandContext, outlet_id: str) -> Outlet | None:
    row = await ctx.conn.fetchrow(
        "SELECT outlet_id, unit, status, effective_on FROM outreach.outlets WHERE outlet_id = $1", outlet_id
    )
    return Outlet(row["outlet_id"], row["unit"], row["status"], row["effective_on"]) if row else None


async def loaded(ctx: CommandContext, publication_id: str) -> tuple[str, Publication, int]:
    stream = publication_stream(publication_id)
    publication, version = await load(ctx, stream, Publication(), evolve_publication)
    return stream, publication, version


async def submit_publication(ctx: CommandContext, command: SubmitPublication) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    known = await unit_known(ctx, command.unit)
    outlet = await find_outlet(ctx, command.outlet_id)
    events = decide_submit(publication, known, outlet, ctx.actor.id, command)
    return Decision(stream, version, command.unit, events)


async def review_publication(ctx: CommandContext, command: ReviewPublication) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    events = decide_review(publication, ctx.actor.id, ctx.actor.roles, command)
    return Decision(stream, version, command.unit, events)


async def revise_publication(ctx: CommandContext, command: RevisePublication) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    outlet = await find_outlet(ctx, command.outlet_id) if command.outlet_id else None
    events = decide_revise(publication, outlet, ctx.actor.id, command)
    return Decision(stream, version, command.unit, events)


async def publish(ctx: CommandContext, command: Publish) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    outlet = await find_outlet(ctx, publication.outlet_id) if publication.outlet_id else None
    events = decide_publish(publication, outlet, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


async def record_views(ctx: CommandContext, command: RecordViews) -> Decision:
    stream, publication, version = await loaded(ctx, command.publication_id)
    events = decide_record_views(publication, local_date(ctx.now), command)
    return Decision(stream, version, command.unit, events)


PUBLICATION_HANDLERS: Handlers = {
    SubmitPublication: submit_publication,
    ReviewPublication: review_publication,
    RevisePublication: revise_publication,
    Publish: publish,
    RecordViews: record_views,
}

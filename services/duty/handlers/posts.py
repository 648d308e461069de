"""Post commands: create, fill, vacate, abolish, oversight links and the hand-over."""

from __future__ import annotations

from contracts.duty import (
    AbolishPost,
    AssignOversight,
    CreatePost,
    FillPost,
    HandOver,
    RegisterPosts,
    RevokeOversight,
    VacatePost,
)
from services.duty import tables
from services.duty.domain.common import change, post_stream
from services.duty.domain.handover import decide_hand_over
from services.duty.domain.posts import (
    decide_abolish_post,
    decide_assign_oversight,
    decide_create_post,
    decide_fill_post,
    decide_revoke_oversight,
    decide_vacate_post,
)
from services.duty.domain.registers import check_post_rows, decide_register_posts
from services.duty.handlers.session import Session
from services.eventkit.bulkrows import report
from services.eventkit.commanding import CommandContext, Decision, Outcome


async def create_post(ctx: CommandContext, command: CreatePost) -> list[Decision]:
    session = Session(ctx)
    post, unit = await session.post(command.post_id), await session.unit(command.unit)
    first = await tables.first_responsible_at(ctx.conn, command.unit)
    events = decide_create_post(post, unit, first, command, session.today)
    return await session.commit([change(post_stream(command.post_id), command.unit, *events)])


async def register_posts(ctx: CommandContext, command: RegisterPosts) -> Outcome:
    session = Session(ctx)
    rows, failed = check_post_rows(command, ctx.now)
    units = sorted({checked.row.unit for checked in rows})
    decisions, outcomes = decide_register_posts(
        rows,
        posts=await session.posts(sorted({checked.record_id for checked in rows})),
        units=await session.units(units),
        first_responsible={unit: await tables.first_responsible_at(ctx.conn, unit) for unit in units},
        today=session.today,
    )
    changes = [change(post_stream(d.record_id), d.unit, *d.events) for d in decisions]
    return Outcome(await session.commit(changes), report(outcomes + failed))


async def fill_post(ctx: CommandContext, command: FillPost) -> list[Decision]:
    session = Session(ctx)
    post = await session.locked_post(command.post_id)
    outlets = await session.owned_outlets(command.post_id)
    return await session.commit(decide_fill_post(post, outlets, command, session.today))


async def vacate_post(ctx: CommandContext, command: VacatePost) -> list[Decision]:
    """The post's PostVacated and a coverage gap on every outlet it owns, in one transaction."""
    session = Session(ctx)
    post = await session.locked_post(command.post_id)
    outlets = await session.owned_outlets(command.post_id)
    return await session.commit(decide_vacate_post(post, outlets, command, session.today))


async def abolish_post(ctx: CommandContext, command: AbolishPost) -> list[Decision]:
    session = Session(ctx)
    post = await session.locked_post(command.post_id)
    outlets = await session.owned_outlets(command.post_id)
    events = decide_abolish_post(post, outlets, command, session.today)
    return await session.commit([change(post_stream(command.post_id), post.unit or command.unit, *events)])


async def assign_oversight(ctx: CommandContext, command: AssignOversight) -> list[Decision]:
    session = Session(ctx)
    post, section = await session.post(command.post_id), await session.unit(command.section)
    events = decide_assign_oversight(post, section, command, session.today)
    return await session.commit([change(post_stream(command.post_id), post.unit or command.unit, *events)])


async def revoke_oversight(ctx: CommandContext, command: RevokeOversight) -> list[Decision]:
    session = Session(ctx)
    post = await session.post(command.post_id)
    events = decide_revoke_oversight(post, command, session.today)
    return await session.commit([change(post_stream(command.post_id), post.unit or command.unit, *events)])


async def hand_over(ctx: CommandContext, command: HandOver) -> list[Decision]:
    session = Session(ctx)
    await tables.lock_posts(ctx.conn, [command.from_post_id, command.to_post_id])
    posts = await session.posts([command.from_post_id, command.to_post_id])
    outlets = await session.owned_outlets(command.from_post_id)
    changes = decide_hand_over(
        posts[command.from_post_id],
        posts[command.to_post_id],
        outlets,
        scope=ctx.actor.scope,
        command=command,
        today=session.today,
    )
    return await session.commit(changes)

"""Outlet commands: register (one, or many with a per-row report), change status, change owner."""

from __future__ import annotations

from contracts.duty import ChangeOutletOwner, ChangeOutletStatus, RegisterOutlet, RegisterOutlets
from services.duty import tables
from services.duty.domain.common import change, outlet_stream
from services.duty.domain.outlets import (
    decide_change_outlet_owner,
    decide_change_outlet_status,
    decide_register_outlet,
)
from services.duty.domain.posts import Post
from services.duty.domain.registers import check_outlet_rows, decide_register_outlets
from services.duty.handlers.session import Session
from services.eventkit.bulkrows import report
from services.eventkit.commanding import CommandContext, Decision, Outcome


async def register_outlet(ctx: CommandContext, command: RegisterOutlet) -> list[Decision]:
    session = Session(ctx)
    owner = await session.locked_post(command.owner_post_id)
    outlet, unit = await session.outlet(command.outlet_id), await session.unit(command.unit)
    events = decide_register_outlet(
        outlet, unit, owner, scope=ctx.actor.scope, command=command, today=session.today
    )
    return await session.commit([change(outlet_stream(command.outlet_id), command.unit, *events)])


async def register_outlets(ctx: CommandContext, command: RegisterOutlets) -> Outcome:
    session = Session(ctx)
    rows, failed = check_outlet_rows(command, ctx.now)
    owners = sorted({checked.row.owner_post_id for checked in rows})
    await tables.lock_posts(ctx.conn, owners)  # as register_outlet does: a vacancy sees these outlets
    decisions, outcomes = decide_register_outlets(
        rows,
        outlets=await session.outlets(sorted({checked.record_id for checked in rows})),
        units=await session.units(sorted({checked.row.unit for checked in rows})),
        posts=await session.posts(owners),
        scope=ctx.actor.scope,
        today=session.today,
    )
    changes = [change(outlet_stream(d.record_id), d.unit, *d.events) for d in decisions]
    return Outcome(await session.commit(changes), report(outcomes + failed))


async def change_outlet_status(ctx: CommandContext, command: ChangeOutletStatus) -> list[Decision]:
    session = Session(ctx)
    outlet = await session.outlet(command.outlet_id)
    owner = await session.locked_post(outlet.owner_post_id) if outlet.owner_post_id else Post()
    events = decide_change_outlet_status(outlet, owner, command, session.today)
    return await session.commit(
        [change(outlet_stream(command.outlet_id), outlet.unit or command.unit, *events)]
    )


async def change_outlet_owner(ctx: CommandContext, command: ChangeOutletOwner) -> list[Decision]:
    session = Session(ctx)
    outlet = await session.outlet(command.outlet_id)
    await tables.lock_posts(ctx.conn, [p for p in (outlet.owner_post_id, command.to_post_id) if p])
    target = await session.post(command.to_post_id)
    events = decide_change_outlet_owner(outlet, target, ctx.actor.scope, command, session.today)
    return await session.commit(
        [change(outlet_stream(command.outlet_id), outlet.unit or command.unit, *events)]
    )

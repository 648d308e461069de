"""Unit commands: register, rename, merge and split."""

from __future__ import annotations

from contracts.duty import MergeUnits, RegisterUnit, RenameUnit, SplitUnit
from contracts.units import is_within, parent_of
from services.duty import tables
from services.duty.domain.common import change, unit_stream
from services.duty.domain.restructure import Affected, decide_merge, decide_split, new_paths
from services.duty.domain.units import decide_register_unit, decide_rename_unit
from services.duty.handlers.session import Session
from services.eventkit.commanding import CommandContext, Decision


async def register_unit(ctx: CommandContext, command: RegisterUnit) -> list[Decision]:
    session = Session(ctx)
    unit = await session.unit(command.path)
    parent_path = parent_of(command.path)
    parent = await session.unit(parent_path) if parent_path else None
    events = decide_register_unit(unit, parent, command, session.today)
    return await session.commit([change(unit_stream(command.path), command.path, *events)])


async def rename_unit(ctx: CommandContext, command: RenameUnit) -> list[Decision]:
    session = Session(ctx)
    events = decide_rename_unit(await session.unit(command.path), command, session.today)
    return await session.commit([change(unit_stream(command.path), command.path, *events)])


async def _affected(session: Session, moves: dict[str, str], keep: str | None) -> Affected:
    """Load what moving ``moves`` touches; ``keep`` is a unit whose own posts and outlets count too."""
    conn = session.ctx.conn
    homes = [*([keep] if keep else []), *moves]
    post_ids = await tables.posts_at(conn, homes)
    overseer_ids = await tables.overseers_of(conn, homes)
    posts = await session.posts(sorted(set(post_ids) | set(overseer_ids)))
    targets = await session.units(list(moves.values()))
    return Affected(
        moved=await session.units(list(moves)),
        occupied=frozenset(path for path, unit in targets.items() if unit.registered),
        posts=[posts[post_id] for post_id in post_ids],
        outlets=list((await session.outlets(await _outlets_touched(session, homes, post_ids))).values()),
        overseers=[posts[post_id] for post_id in overseer_ids],
    )


async def _outlets_touched(session: Session, homes: list[str], post_ids: list[str]) -> list[str]:
    """Running outlets in the moving units, and those their posts answer for wherever they sit: a merge
    that ends a post must see every outlet still answering to it."""
    return await tables.outlets_at_or_owned_by(session.ctx.conn, homes, post_ids)


async def merge_units(ctx: CommandContext, command: MergeUnits) -> list[Decision]:
    session = Session(ctx)
    absorbed, into = await session.unit(command.absorbed), await session.unit(command.into)
    below = await tables.units_below(ctx.conn, command.absorbed)
    moves = new_paths(command.absorbed, command.into, below)
    affected = await _affected(session, moves, keep=command.absorbed)
    return await session.commit(decide_merge(absorbed, into, affected, command, session.today))


async def split_unit(ctx: CommandContext, command: SplitUnit) -> list[Decision]:
    session = Session(ctx)
    source, carved = await session.unit(command.source), await session.unit(command.new_path)
    below = await tables.units_below(ctx.conn, command.source)
    moving = [path for path in below if any(is_within(path, root) for root in command.moved_units)]
    # Listed units that are not (active) below the source are loaded too, so the rule can name them.
    moves = new_paths(command.source, command.new_path, sorted(set(moving) | set(command.moved_units)))
    affected = await _affected(session, moves, keep=None)
    return await session.commit(decide_split(source, carved, affected, command, session.today))

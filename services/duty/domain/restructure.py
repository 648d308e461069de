"""Township merges and splits (撤并、析出) that keep history.

A merge retires the absorbed unit and moves its sub-units under the surviving sibling; a split
registers a new sibling carved out of a unit and moves the listed sub-units to it. A moved unit
gets a new path: the old path is retired (it still answers for dates before the move) and the new
one is registered with ``previous_path``; its posts and outlets relocate with it, and the
oversight links naming it follow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from contracts.duty import (
    DutyAssigned,
    DutyRevoked,
    MergeUnits,
    OutletRelocated,
    PostAbolished,
    PostRelocated,
    SplitUnit,
    UnitMove,
    UnitRegistered,
    UnitRetired,
    UnitsMerged,
    UnitSplit,
)
from contracts.units import is_within, parent_of
from services.duty.domain.common import (
    Change,
    ChangeSet,
    check_effective,
    latest,
    outlet_stream,
    post_stream,
    unit_stream,
)
from services.duty.domain.outlets import Outlet
from services.duty.domain.posts import Post
from services.duty.domain.units import Unit, check_active, describe, expected_kinds
from services.eventkit.errors import AlreadyExists, DomainError


@dataclass(frozen=True)
class Affected:
    """What a merge or split touches, as the handler loaded it."""

    moved: Mapping[str, Unit] = field(default_factory=dict)  # the units that move, by old path
    occupied: frozenset[str] = frozenset()  # new paths where a unit is already registered
    posts: Sequence[Post] = ()  # posts (not abolished) of the merged unit and of the moved units
    outlets: Sequence[Outlet] = ()  # running outlets of the merged and moved units, and their posts' anywhere
    overseers: Sequence[Post] = ()  # leaders in charge overseeing a moved (or the merged) unit


def new_paths(old_root: str, new_root: str, paths: Sequence[str]) -> dict[str, str]:
    """``old_root.x.y`` → ``new_root.x.y`` for each path in the old root's subtree."""
    return {path: new_root + path[len(old_root) :] for path in sorted(paths)}


def _check_dates(affected: Affected, units: Sequence[Unit], effective_on: date, today: date) -> None:
    last = latest(
        [
            *(u.last_effective for u in units),
            *(u.last_effective for u in affected.moved.values()),
            *(p.last_effective for p in affected.posts),
            *(o.last_effective for o in affected.outlets),
            *(p.last_effective for p in affected.overseers),
        ]
    )
    check_effective(effective_on, today, last, "a unit, post or outlet involved")


def _move_units(
    changes: ChangeSet, moves: dict[str, str], affected: Affected, effective_on: date, reason: str
) -> None:
    if taken := sorted(moves[old] for old in moves if moves[old] in affected.occupied):
        raise AlreadyExists(
            f"a unit is already registered at {', '.join(taken)}; rename or move it first",
            field="moved_units",
        )
    for old, new in moves.items():
        unit = affected.moved[old]
        assert unit.name is not None
        assert unit.kind is not None
        changes.add(
            unit_stream(old),
            old,
            UnitRetired(path=old, successor=new, effective_on=effective_on, reason=reason),
        )
        changes.add(
            unit_stream(new),
            new,
            UnitRegistered(
                path=new,
                name=unit.name,
                kind=unit.kind,
                parent=parent_of(new),
                effective_on=effective_on,
                previous_path=old,
            ),
        )


def _move_records(
    changes: ChangeSet,
    post_moves: dict[str, str],
    outlet_moves: dict[str, str],
    affected: Affected,
    effective_on: date,
) -> None:
    """Posts and outlets go where their unit went."""
    moves = post_moves
    for post in affected.posts:
        if post.unit in moves and post.post_id:
            to_unit = moves[post.unit]
            changes.add(
                post_stream(post.post_id),
                to_unit,
                PostRelocated(
                    post_id=post.post_id, from_unit=post.unit, to_unit=to_unit, effective_on=effective_on
                ),
            )
    for outlet in affected.outlets:
        if outlet.unit in outlet_moves and outlet.outlet_id:
            to_unit = outlet_moves[outlet.unit]
            changes.add(
                outlet_stream(outlet.outlet_id),
                to_unit,
                OutletRelocated(
                    outlet_id=outlet.outlet_id,
                    from_unit=outlet.unit,
                    to_unit=to_unit,
                    effective_on=effective_on,
                ),
            )


def _follow_oversight(
    changes: ChangeSet, renamed: dict[str, str], affected: Affected, effective_on: date
) -> None:
    """A leader in charge who oversaw a moved section oversees it at its new path."""
    for post in affected.overseers:
        assert post.post_id is not None
        assert post.unit is not None
        unit = renamed.get(post.unit, post.unit)
        for section in sorted(post.sections & renamed.keys()):
            changes.add(
                post_stream(post.post_id),
                unit,
                DutyRevoked(
                    post_id=post.post_id,
                    unit=unit,
                    section=section,
                    effective_on=effective_on,
                    reason=f"{section} became {renamed[section]}",
                ),
            )
            if renamed[section] not in post.sections:
                changes.add(
                    post_stream(post.post_id),
                    unit,
                    DutyAssigned(
                        post_id=post.post_id, unit=unit, section=renamed[section], effective_on=effective_on
                    ),
                )


def decide_merge(
    absorbed: Unit, into: Unit, affected: Affected, command: MergeUnits, today: date
) -> list[Change]:
    check_active(absorbed, command.absorbed, "absorbed")
    check_active(into, command.into, "into")
    if parent_of(command.absorbed) != parent_of(command.into):
        raise DomainError(
            f"{command.absorbed} and {command.into} do not sit under the same unit; only siblings merge",
            field="into",
        )
    if absorbed.kind != into.kind:
        raise DomainError(f"a {absorbed.kind} cannot merge into a {into.kind}", field="into")
    own_posts = [p for p in affected.posts if p.unit == command.absorbed]
    if held := [p for p in own_posts if p.holder is not None]:
        names = "; ".join(f"{p.label} held by {p.holder.person_name}" for p in held if p.holder)
        raise DomainError(
            f"vacate the posts of {describe(absorbed)} before the merge: {names}", field="absorbed"
        )
    if overseeing := [p.label for p in own_posts if p.sections]:
        raise DomainError(
            f"{', '.join(overseeing)} still oversee sections; revoke or hand over the oversight first",
            "absorbed",
        )
    own_ids = {p.post_id for p in own_posts}
    if orphaned := sorted(o.label for o in affected.outlets if o.owner_post_id in own_ids):
        raise DomainError(
            f"{', '.join(orphaned)} answer to posts of {describe(absorbed)} that end with the merge; "
            f"hand them over to a post of {describe(into)} first",
            field="absorbed",
        )
    _check_dates(affected, [absorbed, into], command.effective_on, today)
    moves = new_paths(command.absorbed, command.into, [p for p in affected.moved if p != command.absorbed])
    changes = ChangeSet()
    reason = command.reason
    changes.add(
        unit_stream(command.into),
        command.into,
        UnitsMerged(
            absorbed=command.absorbed,
            into=command.into,
            moved_units=[UnitMove(from_path=old, to_path=new) for old, new in moves.items()],
            effective_on=command.effective_on,
            reason=reason,
        ),
    )
    changes.add(
        unit_stream(command.absorbed),
        command.absorbed,
        UnitRetired(
            path=command.absorbed, successor=command.into, effective_on=command.effective_on, reason=reason
        ),
    )
    for post in own_posts:
        assert post.post_id is not None
        changes.add(
            post_stream(post.post_id),
            command.absorbed,
            PostAbolished(
                post_id=post.post_id, unit=command.absorbed, effective_on=command.effective_on, reason=reason
            ),
        )
    _move_units(changes, moves, affected, command.effective_on, reason)
    # The merged unit's own posts end with it; its outlets go on under the surviving unit.
    renamed = moves | {command.absorbed: command.into}
    _move_records(changes, moves, renamed, affected, command.effective_on)
    _follow_oversight(changes, renamed, affected, command.effective_on)
    return changes.changes()


def decide_split(
    source: Unit, carved: Unit, affected: Affected, command: SplitUnit, today: date
) -> list[Change]:
    check_active(source, command.source, "source")
    if carved.registered:
        raise AlreadyExists(
            f"unit {command.new_path} is already registered as {carved.name}", field="new_path"
        )
    if command.new_path == command.source or parent_of(command.new_path) != parent_of(command.source):
        raise DomainError(
            f"the new unit must sit beside {command.source}, under {parent_of(command.source)}",
            field="new_path",
        )
    assert source.kind is not None
    if source.kind not in expected_kinds(command.new_path):
        raise DomainError(f"a {source.kind} cannot be registered at {command.new_path}", field="new_path")
    if len(set(command.moved_units)) != len(command.moved_units):
        raise DomainError("a unit is listed twice among the moved units", field="moved_units")
    for path in command.moved_units:
        if parent_of(path) != command.source:
            raise DomainError(f"{path} is not directly below {command.source}", field="moved_units")
        check_active(affected.moved.get(path), path, "moved_units")
    _check_dates(affected, [source], command.effective_on, today)
    moves: dict[str, str] = {}
    for root in command.moved_units:
        subtree = [p for p in affected.moved if is_within(p, root)]
        moves |= new_paths(command.source, command.new_path, subtree)
    moves = dict(sorted(moves.items()))
    changes = ChangeSet()
    changes.add(
        unit_stream(command.source),
        command.source,
        UnitSplit(
            source=command.source,
            new_unit=command.new_path,
            moved_units=[UnitMove(from_path=old, to_path=new) for old, new in moves.items()],
            effective_on=command.effective_on,
            reason=command.reason,
        ),
    )
    changes.add(
        unit_stream(command.new_path),
        command.new_path,
        UnitRegistered(
            path=command.new_path,
            name=command.new_name,
            kind=source.kind,
            parent=parent_of(command.new_path),
            effective_on=command.effective_on,
        ),
    )
    _move_units(changes, moves, affected, command.effective_on, command.reason)
    _move_records(changes, moves, moves, affected, command.effective_on)
    _follow_oversight(changes, moves, affected, command.effective_on)
    return changes.changes()

"""Bulk registers, pure: outlets and posts loaded many at a time (a year's register in one go), each
row decided by the very rule of its single command (register_outlet; create_post then fill_post), with
the per-row report every bulk command gives (services/eventkit/bulkrows.py). A row whose record is
already there as the row says is a duplicate, so sending a register again changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from contracts.duty import (
    CreatePost,
    FillPost,
    OutletRow,
    PostKind,
    PostRow,
    RegisterOutlet,
    RegisterOutlets,
    RegisterPosts,
)
from contracts.registry import DomainEvent
from services.duty.domain.outlets import Outlet, decide_register_outlet
from services.duty.domain.posts import Post, decide_create_post, decide_fill_post, evolve_post
from services.duty.domain.units import Unit
from services.eventkit.bulkrows import (
    CheckedRow,
    RowDecision,
    RowOutcome,
    check_batch,
    decide_rows,
    renamed,
)

OUTLET_FIELDS = ("unit", "kind", "name", "owner_post_id")  # an outlet registered "as the row says"
POST_FIELDS = ("unit", "kind", "title")


def check_outlet_rows(
    command: RegisterOutlets, now: datetime
) -> tuple[list[CheckedRow[OutletRow]], list[RowOutcome]]:
    """Rows that pass the door as OutletRow and lie in the batch's unit, and a failure for the rest."""
    return check_batch(OutletRow, command, now, lambda row: row.outlet_id, "outlet_id")


def decide_register_outlets(
    rows: list[CheckedRow[OutletRow]],
    *,
    outlets: Mapping[str, Outlet],
    units: Mapping[str, Unit],
    posts: Mapping[str, Post],
    scope: str,
    today: date,
) -> tuple[list[RowDecision], list[RowOutcome]]:
    """Each row registered by decide_register_outlet's rules; an outlet already registered as the row
    says (same unit, kind, name and owner) is a duplicate, one registered otherwise fails on outlet_id."""

    def decide(checked: CheckedRow[OutletRow]) -> list[DomainEvent]:
        row = checked.row
        return decide_register_outlet(
            outlets.get(row.outlet_id, Outlet()),
            units.get(row.unit, Unit()),
            posts.get(row.owner_post_id, Post()),
            scope=scope,
            command=RegisterOutlet(**row.model_dump(exclude={"row"})),
            today=today,
        )

    def recorded_before(checked: CheckedRow[OutletRow]) -> bool:
        found = outlets.get(checked.record_id, Outlet())
        return found.exists and all(
            getattr(found, name) == getattr(checked.row, name) for name in OUTLET_FIELDS
        )

    return decide_rows(rows, recorded_before, decide, "outlet_id")


def check_post_rows(
    command: RegisterPosts, now: datetime
) -> tuple[list[CheckedRow[PostRow]], list[RowOutcome]]:
    """Rows that pass the door as PostRow and lie in the batch's unit, and a failure for the rest."""
    return check_batch(PostRow, command, now, lambda row: row.post_id, "post_id")


def decide_register_posts(
    rows: list[CheckedRow[PostRow]],
    *,
    posts: Mapping[str, Post],
    units: Mapping[str, Unit],
    first_responsible: Mapping[str, str | None],
    today: date,
) -> tuple[list[RowDecision], list[RowOutcome]]:
    """Each row created by decide_create_post's rules and, with a holder, filled by decide_fill_post's on
    the post just created; ``first_responsible`` maps each row's unit to its first responsible person's
    post (one per unit, rows of this batch included). A post already there as the row says (same unit,
    kind and title, and the same holder if one is given) is a duplicate."""
    firsts = dict(first_responsible)

    def decide(checked: CheckedRow[PostRow]) -> list[DomainEvent]:
        row = checked.row
        create = CreatePost(
            post_id=row.post_id, unit=row.unit, kind=row.kind, title=row.title, effective_on=row.effective_on
        )
        unit = units.get(row.unit, Unit())
        events = decide_create_post(posts.get(row.post_id, Post()), unit, firsts.get(row.unit), create, today)
        if row.holder is not None:
            created = evolve_post(Post(), events[0])
            fill = FillPost(
                post_id=row.post_id,
                unit=row.unit,
                staff_no=row.holder.staff_no,
                person_name=row.holder.person_name,
                effective_on=row.holder.since,
            )
            filled = renamed(  # a new post owns no outlets yet: one change, the post's own
                lambda: list(decide_fill_post(created, [], fill, today)[0].events),
                {"effective_on": "holder.since"},
            )
            events += filled
        if row.kind is PostKind.FIRST_RESPONSIBLE:
            firsts[row.unit] = row.post_id
        return events

    def recorded_before(checked: CheckedRow[PostRow]) -> bool:
        found, row = posts.get(checked.record_id, Post()), checked.row
        same_holder = row.holder is None or (
            found.holder is not None and found.holder.staff_no == row.holder.staff_no
        )
        return found.exists and same_holder and all(getattr(found, n) == getattr(row, n) for n in POST_FIELDS)

    return decide_rows(rows, recorded_before, decide, "post_id")

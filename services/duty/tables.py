"""Every statement over duty's own tables (schema ``duty``): lookup tables kept by the handlers in the
command's own transaction (``remember``) and read to find which aggregates a command must load."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.duty import (
    DutyAssigned,
    DutyHandedOver,
    DutyRevoked,
    OutletOwnerChanged,
    OutletRegistered,
    OutletRelocated,
    OutletStatus,
    OutletStatusChanged,
    PostAbolished,
    PostCreated,
    PostRelocated,
    RectificationOpened,
    UnitRegistered,
    UnitRetired,
)
from contracts.registry import DomainEvent
from services.duty.domain.common import Change
from services.eventkit.db import Conn

SCHEMA = "duty"

# A subtree as a range on a "C"-collated key: ``$1`` itself and everything starting with ``$1.``
# ('/' is the byte after '.'), index-backed and free of LIKE's wildcards ('_' is common in codes).
BELOW = "({column} > $1 || '.' AND {column} < $1 || '/')"


async def remember(conn: Conn, changes: Sequence[Change]) -> None:
    for decided in changes:
        for event in decided.events:
            await _remember(conn, event)


async def _remember(conn: Conn, event: DomainEvent) -> None:  # noqa: PLR0912 - one branch per fact
    if isinstance(event, UnitRegistered):
        await conn.execute(
            f"INSERT INTO {SCHEMA}.units (path, parent, kind) VALUES ($1, $2, $3)",
            event.path,
            event.parent,
            event.kind.value,
        )
    elif isinstance(event, UnitRetired):
        await conn.execute(f"UPDATE {SCHEMA}.units SET retired = true WHERE path = $1", event.path)
    elif isinstance(event, PostCreated):
        await conn.execute(
            f"INSERT INTO {SCHEMA}.posts (post_id, unit, kind) VALUES ($1, $2, $3)",
            event.post_id,
            event.unit,
            event.kind.value,
        )
    elif isinstance(event, PostAbolished):
        await conn.execute(f"UPDATE {SCHEMA}.posts SET abolished = true WHERE post_id = $1", event.post_id)
    elif isinstance(event, PostRelocated):
        await conn.execute(
            f"UPDATE {SCHEMA}.posts SET unit = $2 WHERE post_id = $1", event.post_id, event.to_unit
        )
    elif isinstance(event, DutyAssigned):
        await conn.execute(f"INSERT INTO {SCHEMA}.oversight VALUES ($1, $2)", event.post_id, event.section)
    elif isinstance(event, DutyRevoked):
        await conn.execute(
            f"DELETE FROM {SCHEMA}.oversight WHERE post_id = $1 AND section = $2",
            event.post_id,
            event.section,
        )
    elif isinstance(event, DutyHandedOver):
        await conn.execute(
            f"DELETE FROM {SCHEMA}.oversight WHERE post_id = $1 AND section = ANY($2::text[])",
            event.from_post_id,
            event.sections,
        )
    elif isinstance(event, OutletRegistered):
        await conn.execute(
            f"INSERT INTO {SCHEMA}.outlets (outlet_id, unit, owner_post_id) VALUES ($1, $2, $3)",
            event.outlet_id,
            event.unit,
            event.owner_post_id,
        )
    elif isinstance(event, OutletStatusChanged):
        closed = event.status is OutletStatus.CLOSED
        await conn.execute(
            f"UPDATE {SCHEMA}.outlets SET closed = $2 WHERE outlet_id = $1", event.outlet_id, closed
        )
    elif isinstance(event, OutletOwnerChanged):
        await conn.execute(
            f"UPDATE {SCHEMA}.outlets SET owner_post_id = $2 WHERE outlet_id = $1",
            event.outlet_id,
            event.to_post_id,
        )
    elif isinstance(event, OutletRelocated):
        await conn.execute(
            f"UPDATE {SCHEMA}.outlets SET unit = $2 WHERE outlet_id = $1", event.outlet_id, event.to_unit
        )
    elif isinstance(event, RectificationOpened):
        await conn.execute(
            f"INSERT INTO {SCHEMA}.finding_rectifications VALUES ($1, $2, $3)",
            event.inspection_id,
            event.finding_id,
            event.rectification_id,
        )


async def units_below(conn: Conn, root: str) -> list[str]:
    """Active units strictly below ``root``, parents before children."""
    rows = await conn.fetch(
        f"SELECT path FROM {SCHEMA}.units WHERE {BELOW.format(column='path')} AND NOT retired ORDER BY path",
        root,
    )
    return [row["path"] for row in rows]


async def offices_without_timer(conn: Conn, kinds: Sequence[str], timer_kind: str) -> list[str]:
    """Active units of ``kinds`` with no ``timer_kind`` timer still to fire (its payload names the unit)."""
    rows = await conn.fetch(
        f"SELECT u.path FROM {SCHEMA}.units u WHERE NOT u.retired AND u.kind = ANY($1::text[])"
        f" AND NOT EXISTS (SELECT 1 FROM {SCHEMA}.timers t WHERE t.kind = $2 AND t.fired_at IS NULL"
        " AND t.payload ->> 'unit' = u.path) ORDER BY u.path",
        list(kinds),
        timer_kind,
    )
    return [row["path"] for row in rows]


async def posts_at(conn: Conn, units: Sequence[str]) -> list[str]:
    rows = await conn.fetch(
        f"SELECT post_id FROM {SCHEMA}.posts WHERE unit = ANY($1::text[]) AND NOT abolished ORDER BY post_id",
        units,
    )
    return [row["post_id"] for row in rows]


async def first_responsible_at(conn: Conn, unit: str) -> str | None:
    found: str | None = await conn.fetchval(
        f"SELECT post_id FROM {SCHEMA}.posts WHERE unit = $1 AND kind = 'first_responsible' AND NOT abolished",
        unit,
    )
    return found


async def outlets_owned_by(conn: Conn, post_id: str) -> list[str]:
    rows = await conn.fetch(
        f"SELECT outlet_id FROM {SCHEMA}.outlets WHERE owner_post_id = $1 AND NOT closed ORDER BY outlet_id",
        post_id,
    )
    return [row["outlet_id"] for row in rows]


async def outlets_at_or_owned_by(conn: Conn, units: Sequence[str], posts: Sequence[str]) -> list[str]:
    """Running outlets in ``units`` or answering to one of ``posts`` wherever they sit, in one query."""
    rows = await conn.fetch(
        f"SELECT outlet_id FROM {SCHEMA}.outlets"
        " WHERE (unit = ANY($1::text[]) OR owner_post_id = ANY($2::text[])) AND NOT closed ORDER BY outlet_id",
        units,
        posts,
    )
    return [row["outlet_id"] for row in rows]


async def overseers_of(conn: Conn, sections: Sequence[str]) -> list[str]:
    rows = await conn.fetch(
        f"SELECT DISTINCT post_id FROM {SCHEMA}.oversight WHERE section = ANY($1::text[]) ORDER BY post_id",
        sections,
    )
    return [row["post_id"] for row in rows]


async def rectification_for(conn: Conn, inspection_id: str, finding_id: str) -> str | None:
    found: str | None = await conn.fetchval(
        f"SELECT rectification_id FROM {SCHEMA}.finding_rectifications WHERE inspection_id = $1 AND finding_id = $2",
        inspection_id,
        finding_id,
    )
    return found


async def lock_posts(conn: Conn, post_ids: Sequence[str]) -> None:
    """Serialize commands that read a post's holder with those that change it (vacating a post must
    see an outlet registered to it a moment ago, or that outlet would run without a gap flagged)."""
    await conn.execute(
        f"SELECT 1 FROM {SCHEMA}.posts WHERE post_id = ANY($1::text[]) ORDER BY post_id FOR UPDATE",
        sorted(post_ids),
    )

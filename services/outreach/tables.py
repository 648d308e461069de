"""Every statement over outreach's own tables (schema ``outreach``): what it learned from duty and
which imported records it has already taken in."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.duty import OutletRegistered
from services.eventkit.db import Conn
from services.eventkit.knownunits import KnownUnits
from services.outreach.domain.publications import Outlet

SCHEMA = "outreach"
UNITS = KnownUnits(SCHEMA)  # the units learned from duty (the shared table and lookups)


async def find_outlet(conn: Conn, outlet_id: str) -> Outlet | None:
    row = await conn.fetchrow(
        f"SELECT outlet_id, unit, status, effective_on FROM {SCHEMA}.outlets WHERE outlet_id = $1", outlet_id
    )
    return Outlet(row["outlet_id"], row["unit"], row["status"], row["effective_on"]) if row else None


async def find_outlets(conn: Conn, outlet_ids: Sequence[str]) -> dict[str, Outlet]:
    """The outlets of ``outlet_ids`` that outreach has learned, by id (one query for a whole batch)."""
    rows = await conn.fetch(
        f"SELECT outlet_id, unit, status, effective_on FROM {SCHEMA}.outlets WHERE outlet_id = ANY($1::text[])",
        sorted(set(outlet_ids)),
    )
    return {
        row["outlet_id"]: Outlet(row["outlet_id"], row["unit"], row["status"], row["effective_on"])
        for row in rows
    }


async def learn_outlet(conn: Conn, event: OutletRegistered) -> None:
    await conn.execute(
        f"INSERT INTO {SCHEMA}.outlets (outlet_id, unit, kind, name, status, effective_on)"
        " VALUES ($1, $2, $3, $4, 'active', $5) ON CONFLICT (outlet_id) DO NOTHING",
        event.outlet_id,
        event.unit,
        event.kind.value,
        event.name,
        event.effective_on,
    )


async def set_outlet_status(conn: Conn, outlet_id: str, status: str) -> None:
    await conn.execute(f"UPDATE {SCHEMA}.outlets SET status = $2 WHERE outlet_id = $1", outlet_id, status)


async def move_outlet(conn: Conn, outlet_id: str, unit: str) -> None:
    await conn.execute(f"UPDATE {SCHEMA}.outlets SET unit = $2 WHERE outlet_id = $1", outlet_id, unit)


async def already_imported(conn: Conn, source: str, external_ids: Sequence[str]) -> dict[str, str]:
    """External id → the activity it was imported as, for the ids ``source`` sent before."""
    rows = await conn.fetch(
        f"SELECT external_id, activity_id FROM {SCHEMA}.imported_activities"
        " WHERE source = $1 AND external_id = ANY($2::text[])",
        source,
        list(external_ids),
    )
    return {row["external_id"]: row["activity_id"] for row in rows}


async def record_imported(
    conn: Conn,
    source: str,
    external_ids: Sequence[str],
    activity_ids: Sequence[str],
    row_numbers: Sequence[int],
) -> None:
    # A plain insert: a concurrent import of the same record makes this transaction fail and the
    # command bus run it again, when the record is found and reported as a duplicate.
    await conn.execute(
        f"INSERT INTO {SCHEMA}.imported_activities (source, external_id, activity_id, row_number)"
        " SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[])",
        source,
        list(external_ids),
        list(activity_ids),
        list(row_numbers),
    )

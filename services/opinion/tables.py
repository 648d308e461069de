"""Every statement over opinion's own tables (schema ``opinion``): the units it learned from duty and
the items it has ingested from monitoring systems."""

from __future__ import annotations

from datetime import date

from services.eventkit.db import Conn

SCHEMA = "opinion"


async def unit_known(conn: Conn, path: str, today: date) -> bool:
    """Registered in duty (learned from its events) and not retired by ``today``."""
    row = await conn.fetchrow(f"SELECT retired_on FROM {SCHEMA}.known_units WHERE path = $1", path)
    return row is not None and (row["retired_on"] is None or row["retired_on"] > today)


async def learn_unit(conn: Conn, path: str, name: str, kind: str) -> None:
    await conn.execute(
        f"INSERT INTO {SCHEMA}.known_units (path, name, kind) VALUES ($1, $2, $3)"
        " ON CONFLICT (path) DO UPDATE SET name = excluded.name, kind = excluded.kind, retired_on = NULL",
        path,
        name,
        kind,
    )


async def retire_unit(conn: Conn, path: str, on: date) -> None:
    await conn.execute(f"UPDATE {SCHEMA}.known_units SET retired_on = $2 WHERE path = $1", path, on)


async def ingested_case(conn: Conn, source: str, external_id: str) -> str | None:
    """The case an item of ``source`` was first ingested as, if it was."""
    found: str | None = await conn.fetchval(
        f"SELECT case_id FROM {SCHEMA}.ingested WHERE source = $1 AND external_id = $2", source, external_id
    )
    return found


async def record_ingested(conn: Conn, source: str, external_id: str, case_id: str) -> None:
    await conn.execute(
        f"INSERT INTO {SCHEMA}.ingested (source, external_id, case_id) VALUES ($1, $2, $3)",
        source,
        external_id,
        case_id,
    )

"""Every statement over opinion's own tables (schema ``opinion``): the units it learned from duty and
the items it has ingested from monitoring systems."""

from __future__ import annotations

from services.eventkit.db import Conn
from services.eventkit.knownunits import KnownUnits

SCHEMA = "opinion"
UNITS = KnownUnits(SCHEMA)  # the units learned from duty (the shared table and lookups)


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

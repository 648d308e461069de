"""The operator's side of parking (``sanji dlq``): every item any worker of any service set aside, found
in each service schema's ``parked`` table, listed with its reason, sent back for a retry (the worker
that parked it redoes it within a second or two) or discarded. An item is named ``<schema>/<id>``."""

from __future__ import annotations

from services.eventkit.db import Conn
from services.eventkit.migrations import check_schema_name
from services.eventkit.parking import Parked


class NoSuchParkedItem(LookupError):
    """No parked item has that name (already retried or discarded?)."""


async def parking_schemas(conn: Conn) -> list[str]:
    """The schemas with a ``parked`` table: every migrated service, whatever the list of services says."""
    rows = await conn.fetch(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'parked' ORDER BY 1"
    )
    return [row["table_schema"] for row in rows]


async def list_parked(conn: Conn, limit: int = 100) -> list[Parked]:
    """Parked items of every service, oldest first in each schema."""
    found: list[Parked] = []
    for schema in await parking_schemas(conn):
        rows = await conn.fetch(f"SELECT * FROM {schema}.parked ORDER BY id LIMIT $1", limit - len(found))
        found += [Parked.from_row(schema, row) for row in rows]
        if len(found) >= limit:
            break
    return found


def _parse_ref(ref: str) -> tuple[str, int]:
    schema, _, number = ref.partition("/")
    try:
        return check_schema_name(schema), int(number)
    except ValueError:
        raise NoSuchParkedItem(
            f"'{ref}' is not a parked item's name: write <service schema>/<id>, as listed"
        ) from None


async def _change(conn: Conn, ref: str, statement: str) -> Parked:
    schema, number = _parse_ref(ref)
    if schema not in await parking_schemas(conn):
        raise NoSuchParkedItem(f"no parked items in schema '{schema}'")
    row = await conn.fetchrow(statement.format(schema=schema), number)
    if row is None:
        raise NoSuchParkedItem(f"no parked item {ref}")
    return Parked.from_row(schema, row)


async def request_retry(conn: Conn, ref: str) -> Parked:
    """Ask the worker that parked ``ref`` to redo it; it leaves ``parked`` once that succeeds."""
    return await _change(
        conn, ref, "UPDATE {schema}.parked SET retry_requested_at = now() WHERE id = $1 RETURNING *"
    )


async def discard_parked(conn: Conn, ref: str) -> Parked:
    """Remove ``ref`` for good: the item will have no effect."""
    return await _change(conn, ref, "DELETE FROM {schema}.parked WHERE id = $1 RETURNING *")

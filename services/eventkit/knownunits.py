"""The one way a write-side service knows units: a ``known_units`` table in its own schema, kept from
duty's unit events by one handler, read by handlers through one lookup API.

Shape (every service the same): path, parent, name, kind, valid from (None: existed before records
began), valid to (the day it stops answering), successor (the unit that carries on after a merge).
On a county site the same events include the units the city registered for the county's subtree,
sourced down into the county's stream (services/eventkit/sitestreams.py): nothing here changes for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from contracts.duty import UnitRegistered, UnitRenamed, UnitRetired
from contracts.envelope import EventEnvelope
from contracts.registry import REGISTRY, DomainEvent
from contracts.subjects import event_filter
from contracts.units import parent_of
from services.eventkit.consumer import Reaction
from services.eventkit.db import Conn
from services.eventkit.migrations import check_schema_name
from services.eventkit.unitlife import KnownUnit, check_not_retired

UNIT_EVENTS: tuple[type[DomainEvent], ...] = (UnitRegistered, UnitRenamed, UnitRetired)
UNIT_FILTERS = tuple(event_filter(*model.event_type.split(".", 1)) for model in UNIT_EVENTS)
# A merge chain longer than this is a loop in the data, not history: stop following it.
MAX_SUCCESSION = 32


class KnownUnits:
    """The units one service learned from duty, in its schema's ``known_units`` table."""

    def __init__(self, schema: str) -> None:
        self.table = f"{check_schema_name(schema)}.known_units"

    # --- learning (the reaction) ------------------------------------------------------------------

    async def learn(self, conn: Conn, event: DomainEvent) -> bool:
        """Apply one of duty's unit events; False for any other event."""
        if isinstance(event, UnitRegistered):
            # A path registered again (after a merge moved it back) starts a new life: validity resets.
            await conn.execute(
                f"INSERT INTO {self.table} (path, parent, name, kind, valid_from)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (path) DO UPDATE SET parent = excluded.parent,"
                " name = excluded.name, kind = excluded.kind, valid_from = excluded.valid_from,"
                " valid_to = NULL, successor = NULL",
                event.path,
                parent_of(event.path),
                event.name,
                event.kind.value,
                event.effective_on,
            )
        elif isinstance(event, UnitRenamed):
            await conn.execute(f"UPDATE {self.table} SET name = $2 WHERE path = $1", event.path, event.name)
        elif isinstance(event, UnitRetired):
            await conn.execute(
                f"UPDATE {self.table} SET valid_to = $2, successor = $3 WHERE path = $1",
                event.path,
                event.effective_on,
                event.successor,
            )
        else:
            return False
        return True

    async def learn_envelope(self, conn: Conn, envelope: EventEnvelope) -> None:
        """The reaction's handler: decode and learn (other events are ignored)."""
        await self.learn(conn, REGISTRY.decode(envelope))

    def reaction(self, name: str) -> Reaction:
        """A durable consumer ``name`` that keeps this table from duty's unit events."""
        return Reaction(name=name, filter_subjects=list(UNIT_FILTERS), handler=self.learn_envelope)

    # --- lookups (the handlers) -------------------------------------------------------------------

    async def get(self, conn: Conn, path: str) -> KnownUnit | None:
        row = await conn.fetchrow(
            f"SELECT path, parent, name, kind, valid_from, valid_to, successor FROM {self.table}"
            " WHERE path = $1",
            path,
        )
        return KnownUnit(**dict(row)) if row else None

    async def known(self, conn: Conn, path: str) -> bool:
        """Ever registered (retired ones included: their history stays theirs)."""
        return bool(await conn.fetchval(f"SELECT true FROM {self.table} WHERE path = $1", path))

    async def known_among(self, conn: Conn, paths: Iterable[str]) -> set[str]:
        rows = await conn.fetch(f"SELECT path FROM {self.table} WHERE path = ANY($1::text[])", sorted(paths))
        return {row["path"] for row in rows}

    async def known_on(self, conn: Conn, path: str, day: date, *, field: str = "unit") -> bool:
        """Whether ``path`` was ever registered, for a fact of ``day``; a DomainError naming ``field`` (and
        the unit its work went to) when it was merged away or retired by then (check_not_retired)."""
        unit = await self.get(conn, path)
        if unit is None:
            return False
        if unit.valid_to is not None and unit.valid_to <= day:
            check_not_retired(unit, day, await self.successor(conn, path), field)
        return True

    async def retired_among(self, conn: Conn, paths: Iterable[str]) -> dict[str, KnownUnit]:
        """Those of ``paths`` that were merged away or retired (for rows checked one by one)."""
        rows = await conn.fetch(
            f"SELECT path, parent, name, kind, valid_from, valid_to, successor FROM {self.table}"
            " WHERE path = ANY($1::text[]) AND valid_to IS NOT NULL",
            sorted(paths),
        )
        return {row["path"]: KnownUnit(**dict(row)) for row in rows}

    async def active_on(self, conn: Conn, path: str, day: date) -> bool:
        """Known, registered by ``day`` and not retired by then."""
        unit = await self.get(conn, path)
        return unit is not None and unit.active_on(day)

    async def successor(self, conn: Conn, path: str) -> str | None:
        """Where the work of a retired unit goes now: its successor's successor … to the last one
        (None while the unit is not retired or was retired without one)."""
        current, seen = path, {path}
        for _ in range(MAX_SUCCESSION):
            unit = await self.get(conn, current)
            if unit is None or unit.successor is None or unit.successor in seen:
                break
            current = unit.successor
            seen.add(current)
        return None if current == path else current

    async def names(self, conn: Conn, paths: Iterable[str]) -> dict[str, str]:
        rows = await conn.fetch(
            f"SELECT path, name FROM {self.table} WHERE path = ANY($1::text[])", list(paths)
        )
        return {row["path"]: row["name"] for row in rows}

    async def children_not_retired_on(self, conn: Conn, parent: str, day: date) -> list[str]:
        """The units directly below ``parent`` not retired by ``day``, in path order."""
        rows = await conn.fetch(
            f"SELECT path FROM {self.table} WHERE parent = $1 AND (valid_to IS NULL OR valid_to > $2)"
            " ORDER BY path",
            parent,
            day,
        )
        return [row["path"] for row in rows]

    async def paths(self, conn: Conn) -> list[str]:
        return [row["path"] for row in await conn.fetch(f"SELECT path FROM {self.table} ORDER BY path")]

"""Read models declared by their events: ``@on(EventType)`` methods add rows, counter deltas and
ordered changes to a batch, and the batch is written in one set-based statement per table.

A view subclasses ReadModel; ProjectorRunner runs it like any projector (it has ``name``,
``event_types`` and ``apply``), so its rows and its checkpoint commit in one transaction.

Writes of different tables commute (each statement writes one table and reads no other), so a batch
is written table by table, in event order within a table: a run of rows for one table becomes one
``INSERT ... SELECT FROM unnest(...)``, a run of one change statement one ``executemany``. Counter
deltas are summed in memory, rolled up to every ancestor unit, and added in one upsert per table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from contracts.registry import DomainEvent, UnknownEventType
from contracts.units import ancestors_and_self
from services.eventkit.db import Conn, dumps
from services.eventkit.projector import Delivered

Handler = TypeVar("Handler", bound=Callable[..., None])
Key = tuple[Any, ...]


def on(*models: type[DomainEvent]) -> Callable[[Handler], Handler]:
    """Mark a ReadModel method as the handler of these event types (several handlers run in class order)."""

    def mark(method: Handler) -> Handler:
        method.__dict__.setdefault("read_model_events", []).extend(model.event_type for model in models)
        return method

    return mark


@dataclass(frozen=True)
class Rows:
    """Rows for one table, sent as one ``INSERT ... SELECT FROM unnest`` per run.

    ``columns`` pairs each column with its PostgreSQL type; JSON and array columns (``jsonb``,
    ``text[]``) take Python values, or text already serialized (by pydantic) when named in ``as_text``. With a
    ``key``, a later row of a batch replaces an earlier one with the same key (an upsert cannot touch a
    row twice in one statement); keyed rows of a table are written after its other writes."""

    table: str
    columns: tuple[tuple[str, str], ...]
    on_conflict: str | None = "DO NOTHING"  # None: a plain insert, a duplicate fails the batch
    key: tuple[str, ...] = ()
    as_text: frozenset[str] = frozenset()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def sql(self, schema: str) -> str:
        as_json = self.as_json
        sent = ", ".join(
            f"${n}::{'text' if n - 1 in as_json else kind}[]" for n, (_, kind) in enumerate(self.columns, 1)
        )
        picked = ", ".join(self._picked(name, kind) for name, kind in self.columns)
        names = ", ".join(self.names)
        return (
            f"INSERT INTO {schema}.{self.table} AS t ({names}) SELECT {picked}"
            f" FROM unnest({sent}) AS r({names})"
        ) + (f" ON CONFLICT {self.on_conflict}" if self.on_conflict is not None else "")

    @property
    def as_json(self) -> frozenset[int]:
        """Positions of the columns sent as JSON text: asyncpg reads a list inside a column array as one
        more dimension, so JSON and array values are serialized here and cast by PostgreSQL."""
        return frozenset(
            i
            for i, (name, kind) in enumerate(self.columns)
            if kind == "jsonb" or kind.endswith("[]") or name in self.as_text
        )

    def _picked(self, name: str, kind: str) -> str:
        if kind.endswith("[]"):
            elements = f"ARRAY(SELECT jsonb_array_elements_text({name}::jsonb))"
            return f"CASE WHEN {name} IS NULL THEN NULL ELSE {elements} END::{kind}"
        return f"{name}::{kind}" if kind == "jsonb" or name in self.as_text else name

    def arrays(self, rows: Iterable[Key]) -> list[list[Any]]:
        """One array per column, JSON and array values serialized (except those ``as_text`` already is)."""
        columns = [list(column) for column in zip(*rows, strict=True)]
        for i in self.as_json:
            if self.columns[i][0] not in self.as_text:
                columns[i] = [None if value is None else dumps(value) for value in columns[i]]
        return columns


def replacing(key: Iterable[str], columns: Iterable[str], where: str = "") -> str:
    """An ON CONFLICT clause that overwrites every non-key column (``where`` guards the overwrite)."""
    key = tuple(key)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return f"({', '.join(key)}) DO UPDATE SET {updates}" + (f" WHERE {where}" if where else "")


@dataclass(frozen=True)
class Counter:
    """A table of counts per unit path (the first key column) and further keys; each measure ``m`` is
    stored as ``own_m`` (the unit's own) and ``subtree_m`` (the unit and everything below it)."""

    table: str
    keys: tuple[tuple[str, str], ...]
    measures: tuple[str, ...]

    def sql(self, schema: str) -> str:
        measured = [f"{scope}_{m}" for scope in ("own", "subtree") for m in self.measures]
        names = [name for name, _ in self.keys] + measured
        kinds = [kind for _, kind in self.keys] + ["bigint"] * len(measured)
        arrays = ", ".join(f"${n}::{kind}[]" for n, kind in enumerate(kinds, start=1))
        added = ", ".join(f"{c} = c.{c} + excluded.{c}" for c in measured)
        return (
            f"INSERT INTO {schema}.{self.table} AS c ({', '.join(names)}) SELECT * FROM unnest({arrays})"
            f" ON CONFLICT ({', '.join(name for name, _ in self.keys)}) DO UPDATE SET {added}"
        )


@dataclass
class Batch:
    """One batch's writes, folded in memory and written by ``write``."""

    schema: str
    # Per table, in event order: (Rows, [row tuples]) or (change SQL, [argument tuples]).
    ordered: dict[str, list[tuple[Rows | str, list[Key]]]] = field(default_factory=lambda: defaultdict(list))
    keyed: dict[Rows, dict[Key, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    counts: dict[Counter, dict[Key, list[int]]] = field(default_factory=lambda: defaultdict(dict))

    def row(self, rows: Rows, *values: Any) -> None:
        """Add one row (values in ``rows.columns`` order)."""
        self._append(rows.table, rows, values)

    def change(self, table: str, sql: str, *args: Any) -> None:
        """An ordered statement on ``table`` (``{s}`` stands for the schema): for updates whose effect
        depends on the rows before them."""
        self._append(table, sql.replace("{s}", self.schema), args)

    def _append(self, table: str, what: Rows | str, values: Key) -> None:
        runs = self.ordered[table]
        # Identity first: comparing two Rows field by field for every row costs more than the row.
        if runs and (runs[-1][0] is what or (isinstance(what, str) and runs[-1][0] == what)):
            runs[-1][1].append(values)
        else:
            runs.append((what, [values]))

    def put(self, rows: Rows, row: dict[str, Any]) -> None:
        """Add or replace the keyed row with this row's key."""
        self.keyed[rows][tuple(row[name] for name in rows.key)] = row

    def get(self, rows: Rows, *key: Any) -> dict[str, Any] | None:
        """The keyed row this batch holds for ``key`` (to change it in place), if any."""
        return self.keyed[rows].get(key)

    def count(self, counter: Counter, unit: str, keys: Key, deltas: Iterable[int]) -> None:
        """Add ``deltas`` to the unit's own counts and to the subtree counts of the unit and its ancestors."""
        deltas = tuple(deltas)
        width = len(deltas)
        table = self.counts[counter]
        for path in ancestors_and_self(unit):
            sums = table.get((path, *keys))
            if sums is None:
                sums = table[(path, *keys)] = [0] * (2 * width)
            for i, delta in enumerate(deltas):
                sums[width + i] += delta
                if path == unit:
                    sums[i] += delta

    async def write(self, conn: Conn) -> None:
        keyed_tables = {rows.table: rows for rows in self.keyed}
        for table in sorted(set(self.ordered) | set(keyed_tables)):
            for what, values in self.ordered.get(table, ()):
                if isinstance(what, Rows):
                    await conn.execute(what.sql(self.schema), *what.arrays(values))
                else:
                    await conn.executemany(what, values)
            for rows, found in self.keyed.items():
                if rows.table == table and found:
                    # Sorted keys: concurrent upserts (a rebuild beside the live view) lock in one order.
                    tuples = [tuple(found[key][name] for name in rows.names) for key in sorted(found)]
                    await conn.execute(rows.sql(self.schema), *rows.arrays(tuples))
        for counter, sums in sorted(self.counts.items(), key=lambda item: item[0].table):
            if sums:
                keys = sorted(sums)
                columns = [list(column) for column in zip(*keys, strict=True)]
                columns += [list(column) for column in zip(*(sums[key] for key in keys), strict=True)]
                await conn.execute(counter.sql(self.schema), *columns)


class ReadModel:
    """A view: subclasses set ``name`` and declare ``@on`` methods taking (batch, event, delivered)."""

    name: str
    event_types: ClassVar[frozenset[str]] = frozenset()
    handlers: ClassVar[dict[str, tuple[Callable[..., None], ...]]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        found: dict[str, list[Callable[..., None]]] = defaultdict(list)
        for klass in reversed(cls.__mro__):
            for method in vars(klass).values():
                for event_type in getattr(method, "read_model_events", ()):
                    if method not in found[event_type]:  # an event's versions share one type string
                        found[event_type].append(method)
        cls.handlers = {event_type: tuple(methods) for event_type, methods in found.items()}
        cls.event_types = frozenset(found)

    async def load(self, conn: Conn, batch: Batch, events: list[tuple[Delivered, DomainEvent]]) -> None:
        """Read what the handlers need from stored rows into ``batch`` before they run (none by default)."""

    async def apply(self, conn: Conn, schema: str, delivered: list[Delivered]) -> None:
        batch = Batch(schema)
        events = []
        for item in delivered:
            if item.envelope.type not in self.handlers:
                continue  # other contexts' events: not part of this view
            try:
                events.append((item, item.event))
            except UnknownEventType:
                continue
        await self.load(conn, batch, events)
        for item, event in events:
            for handler in self.handlers[item.envelope.type]:
                handler(self, batch, event, item)
        await batch.write(conn)

"""The projector that keeps the linked unit view: units and activity counts, own and rolled up.

A batch is folded in memory first (one upsert per touched unit and kind, not per event), which is
what lets the projection keep up with the relay."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from contracts.duty import UnitRegistered, UnitRenamed, UnitRetired
from contracts.outreach import ActivityCorrected, ActivityLogged, ActivityVoided
from contracts.registry import UnknownEventType
from contracts.units import ancestors_and_self, level_of
from services.eventkit.db import Conn
from services.eventkit.projector import Delivered

HANDLED_TYPES = frozenset(
    {
        UnitRegistered.event_type,
        UnitRenamed.event_type,
        UnitRetired.event_type,
        ActivityLogged.event_type,
        ActivityCorrected.event_type,
        ActivityVoided.event_type,
    }
)


async def record_unit_changes(conn: Conn, schema: str, events: list[UnitRenamed | UnitRetired]) -> None:
    """Renames and retirements (township merges) after the batch's registrations, in event order."""
    for event in events:
        if isinstance(event, UnitRenamed):
            await conn.execute(f"UPDATE {schema}.units SET name = $2 WHERE path = $1", event.path, event.name)
        else:
            await conn.execute(
                f"UPDATE {schema}.units SET retired_on = $2, successor = $3 WHERE path = $1",
                event.path,
                event.effective_on,
                event.successor,
            )


@dataclass
class CountDelta:
    own_activities: int = 0
    own_audience: int = 0
    subtree_activities: int = 0
    subtree_audience: int = 0


def count(
    counts: dict[tuple[str, str], CountDelta], unit: str, kind: str, activities: int, audience: int
) -> None:
    """Add to the unit's own counts and to the subtree counts of the unit and every unit above it."""
    own = counts[(unit, kind)]
    own.own_activities += activities
    own.own_audience += audience
    for path in ancestors_and_self(unit):
        rolled = counts[(path, kind)]
        rolled.subtree_activities += activities
        rolled.subtree_audience += audience


class UnitsProjector:
    name = "units"
    event_types = HANDLED_TYPES

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        units: list[tuple[object, ...]] = []
        counts: dict[tuple[str, str], CountDelta] = defaultdict(CountDelta)
        renamed_or_retired: list[UnitRenamed | UnitRetired] = []
        for delivered in batch:
            envelope = delivered.envelope
            if envelope.type not in HANDLED_TYPES:
                continue  # other contexts' events: not part of this view
            try:
                event = delivered.event
            except UnknownEventType:
                continue
            if isinstance(event, UnitRegistered):
                units.append(
                    (
                        event.path,
                        event.parent,
                        event.name,
                        event.kind.value,
                        level_of(event.path),
                        envelope.time,
                    )
                )
            elif isinstance(event, UnitRenamed | UnitRetired):
                renamed_or_retired.append(event)
            elif isinstance(event, ActivityLogged):
                count(counts, event.unit, event.kind.value, 1, event.audience)
            elif isinstance(event, ActivityCorrected):  # the events carry before and after: no lookup
                count(counts, event.unit, event.before.kind.value, -1, -event.before.audience)
                count(counts, event.unit, event.after.kind.value, 1, event.after.audience)
            elif isinstance(event, ActivityVoided):
                count(counts, event.unit, event.facts.kind.value, -1, -event.facts.audience)
        if units:
            await conn.executemany(
                f"INSERT INTO {schema}.units (path, parent, name, kind, level, registered_at)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (path) DO NOTHING",
                units,
            )
        await record_unit_changes(conn, schema, renamed_or_retired)
        if counts:
            keys = sorted(counts)  # a fixed order keeps concurrent upserts from deadlocking
            await conn.execute(
                f"INSERT INTO {schema}.activity_counts AS c (path, kind, own_activities, own_audience,"
                " subtree_activities, subtree_audience)"
                " SELECT * FROM unnest($1::text[], $2::text[],"
                " $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])"
                " ON CONFLICT (path, kind) DO UPDATE SET"
                " own_activities = c.own_activities + excluded.own_activities,"
                " own_audience = c.own_audience + excluded.own_audience,"
                " subtree_activities = c.subtree_activities + excluded.subtree_activities,"
                " subtree_audience = c.subtree_audience + excluded.subtree_audience",
                [k[0] for k in keys],
                [k[1] for k in keys],
                [counts[k].own_activities for k in keys],
                [counts[k].own_audience for k in keys],
                [counts[k].subtree_activities for k in keys],
                [counts[k].subtree_audience for k in keys],
            )

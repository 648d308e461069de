"""The activity taxonomy view: each city's subtypes as they stand (name, retired, version), and the
counter of activities per unit, local month, kind and subtype that the outreach view feeds.

Activities that name no subtype count under the subtype '' so that a kind's subtypes add up to it."""

from __future__ import annotations

from contracts.outreach import ActivityFacts, ActivityLogged
from contracts.outreach_taxonomy import ActivitySubtypeDefined, ActivitySubtypeRetired
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, Counter, on

SUBTYPE_MONTHLY = Counter(
    "activity_subtype_monthly",
    (("path", "text"), ("month", "date"), ("kind", "text"), ("subtype", "text")),
    ("activities", "audience"),
)
NO_SUBTYPE = ""


def count_subtype(batch: Batch, unit: str, activity: ActivityFacts | ActivityLogged, sign: int) -> None:
    """Add (or with sign -1 take away) one activity in its month, kind and subtype."""
    keys = (activity.held_on.replace(day=1), activity.kind.value, activity.subtype or NO_SUBTYPE)
    batch.count(SUBTYPE_MONTHLY, unit, keys, (sign, sign * activity.audience))


class TaxonomyHandlers:
    """The city's subtypes as they stand (folded by records_projector.RecordsProjector)."""

    @on(ActivitySubtypeDefined)
    def defined(self, batch: Batch, event: ActivitySubtypeDefined, delivered: Delivered) -> None:
        batch.change(
            "activity_subtypes",
            "INSERT INTO {s}.activity_subtypes (city, kind, subtype, name, retired, taxonomy_version, updated_at)"
            " VALUES ($1, $2, $3, $4, false, $5, $6) ON CONFLICT (city, kind, subtype) DO UPDATE SET"
            " name = excluded.name, retired = false, taxonomy_version = excluded.taxonomy_version,"
            " updated_at = excluded.updated_at",
            event.unit,
            event.kind.value,
            event.subtype,
            event.name,
            event.taxonomy_version,
            delivered.envelope.time,
        )

    @on(ActivitySubtypeRetired)
    def retired(self, batch: Batch, event: ActivitySubtypeRetired, delivered: Delivered) -> None:
        batch.change(
            "activity_subtypes",
            "UPDATE {s}.activity_subtypes SET retired = true, taxonomy_version = $4, updated_at = $5"
            " WHERE city = $1 AND kind = $2 AND subtype = $3",
            event.unit,
            event.kind.value,
            event.subtype,
            event.taxonomy_version,
            delivered.envelope.time,
        )

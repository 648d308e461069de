"""The linked unit view: the one unit table every view reads (name, kind, validity, successor after a
merge), and activity counts per unit and kind, own and rolled up.

A batch is folded in memory (one upsert per touched unit and kind, not per event), which is what
lets the projection keep up with the relay."""

from __future__ import annotations

from contracts.duty import UnitRegistered, UnitRenamed, UnitRetired
from contracts.outreach import ActivityCorrected, ActivityLogged, ActivityVoided
from contracts.units import level_of
from services.eventkit.localtime import local_date
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, Counter, ReadModel, Rows, on

UNITS = Rows(
    "units",
    (
        ("path", "text"),
        ("parent", "text"),
        ("name", "text"),
        ("kind", "text"),
        ("level", "text"),
        ("registered_at", "timestamptz"),
        ("registered_on", "date"),
        ("since", "date"),
        ("previous_path", "text"),
    ),
    on_conflict="(path) DO NOTHING",
)
ACTIVITY_COUNTS = Counter("activity_counts", (("path", "text"), ("kind", "text")), ("activities", "audience"))


class UnitsProjector(ReadModel):
    name = "units"

    @on(UnitRegistered)
    def registered(self, batch: Batch, event: UnitRegistered, delivered: Delivered) -> None:
        at, on = delivered.envelope.time, event.effective_on
        unit = (event.path, event.parent, event.name, event.kind.value, level_of(event.path))
        # Valid from its effective date, or (existing before records began) the day it was registered.
        batch.row(UNITS, *unit, at, on, on or local_date(at), event.previous_path)

    @on(UnitRenamed)
    def renamed(self, batch: Batch, event: UnitRenamed, _: Delivered) -> None:
        batch.change("units", "UPDATE {s}.units SET name = $2 WHERE path = $1", event.path, event.name)

    @on(UnitRetired)
    def retired(self, batch: Batch, event: UnitRetired, _: Delivered) -> None:
        batch.change(
            "units",
            "UPDATE {s}.units SET retired_on = $2, successor = $3 WHERE path = $1",
            event.path,
            event.effective_on,
            event.successor,
        )

    @on(ActivityLogged)
    def logged(self, batch: Batch, event: ActivityLogged, _: Delivered) -> None:
        batch.count(ACTIVITY_COUNTS, event.unit, (event.kind.value,), (1, event.audience))

    @on(ActivityCorrected)
    def corrected(self, batch: Batch, event: ActivityCorrected, _: Delivered) -> None:
        # The events carry before and after: no lookup.
        before, after = event.before, event.after
        batch.count(ACTIVITY_COUNTS, event.unit, (before.kind.value,), (-1, -before.audience))
        batch.count(ACTIVITY_COUNTS, event.unit, (after.kind.value,), (1, after.audience))

    @on(ActivityVoided)
    def voided(self, batch: Batch, event: ActivityVoided, _: Delivered) -> None:
        batch.count(ACTIVITY_COUNTS, event.unit, (event.facts.kind.value,), (-1, -event.facts.audience))

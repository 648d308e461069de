"""What opinion does on other services' events: it learns the units (and their retirement) from duty,
so that cases are only reported for, owned by and dispatched to units that exist."""

from __future__ import annotations

from contracts.duty import UnitRegistered, UnitRetired
from contracts.envelope import EventEnvelope
from contracts.registry import REGISTRY
from contracts.subjects import event_filter
from services.eventkit.consumer import Reaction
from services.eventkit.db import Conn
from services.opinion import tables


async def learn_unit(conn: Conn, envelope: EventEnvelope) -> None:
    event = REGISTRY.decode(envelope)
    if isinstance(event, UnitRegistered):
        await tables.learn_unit(conn, event.path, event.name, event.kind.value)
    elif isinstance(event, UnitRetired):
        await tables.retire_unit(conn, event.path, event.effective_on)


UNITS = Reaction(
    name="opinion-units",
    filter_subjects=[event_filter("duty", "unit_registered"), event_filter("duty", "unit_retired")],
    handler=learn_unit,
)
REACTIONS = [UNITS]

"""What outreach does on other services' events: it learns from duty which units exist, and which
outlets (阵地) exist and whether they are running, into its own tables."""

from __future__ import annotations

from contracts.duty import OutletRegistered, OutletRelocated, OutletStatusChanged
from contracts.envelope import EventEnvelope
from contracts.registry import REGISTRY
from contracts.subjects import event_filter
from services.eventkit.consumer import Reaction
from services.eventkit.db import Conn
from services.outreach import tables


async def learn_outlet(conn: Conn, envelope: EventEnvelope) -> None:
    event = REGISTRY.decode(envelope)
    if isinstance(event, OutletRegistered):
        await tables.learn_outlet(conn, event)
    elif isinstance(event, OutletStatusChanged):
        # Applied when learned, whatever its effective date: a closed outlet carries nothing new.
        await tables.set_outlet_status(conn, event.outlet_id, event.status.value)
    elif isinstance(event, OutletRelocated):
        await tables.move_outlet(conn, event.outlet_id, event.to_unit)


UNITS = tables.UNITS.reaction("outreach-units")
OUTLETS = Reaction(
    name="outreach-outlets",
    filter_subjects=[
        event_filter("duty", "outlet_registered"),
        event_filter("duty", "outlet_status_changed"),
        event_filter("duty", "outlet_relocated"),
    ],
    handler=learn_outlet,
)
REACTIONS = [UNITS, OUTLETS]

"""What outreach does on other services' events: it learns which units exist from duty."""

from __future__ import annotations

from contracts.duty import UnitRegistered
from contracts.envelope import EventEnvelope
from contracts.registry import REGISTRY
from contracts.subjects import event_filter
from services.eventkit.consumer import Reaction
from services.eventkit.db import Conn


async def learn_unit(conn: Conn, envelope: EventEnvelope) -> None:
    event = REGISTRY.decode(envelope)
    if isinstance(event, UnitRegistered):
        await conn.execute(
            "INSERT INTO outreach.known_units (path, name, kind) VALUES ($1, $2, $3)"
            " ON CONFLICT (path) DO NOTHING",
            event.path,
            event.name,
            event.kind.value,
        )


UNITS = Reaction(
    name="outreach-units", filter_subjects=[event_filter("duty", "unit_registered")], handler=learn_unit
)
REACTIONS = [UNITS]

"""What opinion does on other services' events: it learns the units (their validity and successors)
from duty, so that cases are only reported for, owned by and dispatched to units that exist; and, at a
county site, it takes over the cases the city hands it and receives the city's supervision of them."""

from __future__ import annotations

from services.eventkit.deciding import DecidingReaction
from services.eventkit.natsdeploy import CITY_DOMAIN
from services.opinion import tables
from services.opinion.handlers.handover import from_city

UNITS = tables.UNITS.reaction("opinion-units")
REACTIONS = [UNITS]
# Only what the city sent: its copies at a county carry the token ``city`` as an eighth, which no
# county service may write (each may publish seven tokens), so a county cannot forge one for itself,
# and another county's facts never come down (the downlink takes seven-token subjects only). At the
# city these filters match nothing. A crashed handler's event comes again after ack_wait: kept short,
# a case the city hands over waits at most that long after a crash.
FROM_CITY = DecidingReaction(
    name="opinion-from-city",
    filter_subjects=[
        f"sanji.ev.opinion.{name}.*.*.*.{CITY_DOMAIN}" for name in ("handed_over", "supervision_started")
    ],
    decide=from_city,
    ack_wait=10.0,
)
DECIDING = [FROM_CITY]

"""What opinion does on other services' events: it learns the units (their validity and successors)
from duty, so that cases are only reported for, owned by and dispatched to units that exist; and, at a
site, it takes over the cases another site hands it (and, at a county, receives the city's supervision)."""

from __future__ import annotations

from services.eventkit.deciding import DecidingReaction
from services.eventkit.natsdeploy import CITY_DOMAIN
from services.opinion import tables
from services.opinion.handlers.handover import take_over

UNITS = tables.UNITS.reaction("opinion-units")
REACTIONS = [UNITS]
# Only what another site sent: its copies here carry an eighth token (``city`` at a county site, the
# county's ``c<code>`` at the city), which no service may write (each publishes seven tokens), so no site
# can forge another's hand-over for itself; the city takes a county's hand-over only for a case new to it
# or one it had handed to that very county; the city's supervision is taken at a county site only (at the
# city, ``supervision_started`` with an eighth token is a county's own). A crashed handler's event comes
# again after ack_wait: kept short, a case handed over waits at most that long after a crash.
HANDOVERS = DecidingReaction(
    name="opinion-handovers",
    filter_subjects=[
        "sanji.ev.opinion.handed_over.*.*.*.*",
        f"sanji.ev.opinion.supervision_started.*.*.*.{CITY_DOMAIN}",
    ],
    decide=take_over,
    ack_wait=10.0,
)
DECIDING = [HANDOVERS]

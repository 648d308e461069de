"""What opinion does on other services' events: it learns the units (their validity and successors)
from duty, so that cases are only reported for, owned by and dispatched to units that exist."""

from __future__ import annotations

from services.opinion import tables

UNITS = tables.UNITS.reaction("opinion-units")
REACTIONS = [UNITS]

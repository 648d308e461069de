"""The unit view: units and their activity counts, own and rolled up."""

from __future__ import annotations

from services.eventkit.projector import Projector
from services.eventkit.queries import QuerySpec
from services.projection.queries import QUERIES as UNIT_QUERIES
from services.projection.readmodels import UnitsProjector

PROJECTORS: list[Projector] = [UnitsProjector()]
QUERIES: list[QuerySpec] = UNIT_QUERIES

"""One projector for the records the bureau's summaries quote: meetings and their targets, field surveys
and awards, the activity taxonomy, and the audit of back-dated entries. Each view module keeps its own
tables and handlers; they are folded here into one read model, so that these rare events cost one
reader of the event stream, not four."""

from __future__ import annotations

from services.eventkit.projector import Projector
from services.eventkit.queries import QuerySpec
from services.eventkit.readmodel import ReadModel
from services.projection.backdating_view import BackdatingHandlers
from services.projection.meeting_queries import QUERIES as MEETING_QUERIES
from services.projection.meetings_view import MeetingHandlers
from services.projection.records_view import SurveyAwardHandlers
from services.projection.taxonomy_view import TaxonomyHandlers


class RecordsProjector(MeetingHandlers, SurveyAwardHandlers, TaxonomyHandlers, BackdatingHandlers, ReadModel):
    name = "records"


PROJECTORS: list[Projector] = [RecordsProjector()]
QUERIES: list[QuerySpec] = MEETING_QUERIES

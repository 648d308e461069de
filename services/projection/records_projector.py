"""One projector for the records the bureau's summaries quote: meetings and their targets, field surveys
and awards, information submissions with their adoptions and quotas, the activity taxonomy, and the
audit of back-dated entries. Each view module keeps its own tables and handlers; they are folded here
into one read model, so that these rare events cost one reader of the event stream, not five."""

from __future__ import annotations

from services.eventkit.projector import Projector
from services.eventkit.queries import QuerySpec
from services.eventkit.readmodel import ReadModel
from services.projection.backdating_view import BackdatingHandlers
from services.projection.meeting_queries import QUERIES as MEETING_QUERIES
from services.projection.meetings_view import MeetingHandlers
from services.projection.records_view import SurveyAwardHandlers
from services.projection.submissions_queries import QUERIES as SUBMISSION_QUERIES
from services.projection.submissions_view import SubmissionHandlers
from services.projection.taxonomy_view import TaxonomyHandlers


class RecordsProjector(
    MeetingHandlers, SurveyAwardHandlers, SubmissionHandlers, TaxonomyHandlers, BackdatingHandlers, ReadModel
):
    name = "records"


PROJECTORS: list[Projector] = [RecordsProjector()]
QUERIES: list[QuerySpec] = [*MEETING_QUERIES, *SUBMISSION_QUERIES]

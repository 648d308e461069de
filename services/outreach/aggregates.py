"""Outreach's aggregates: where each lives (its stream) and how its events fold into state."""

from __future__ import annotations

from services.eventkit.aggregates import AggregateSpec, aggregate
from services.outreach.domain.activities import Activity, evolve_activity
from services.outreach.domain.meetings import Meeting, evolve_meeting
from services.outreach.domain.plans import Plan, evolve_plan
from services.outreach.domain.publications import Publication, evolve_publication
from services.outreach.domain.records import Recorded, evolve_recorded
from services.outreach.domain.submissions import Submission, evolve_submission
from services.outreach.domain.taxonomy import Taxonomy, evolve_taxonomy


def activity_stream(activity_id: str) -> str:
    return f"activity:{activity_id}"


def plan_stream(unit: str, year: int) -> str:
    return f"plan:{unit}:{year}"


def publication_stream(publication_id: str) -> str:
    return f"publication:{publication_id}"


def meeting_stream(meeting_id: str) -> str:
    return f"meeting:{meeting_id}"


def survey_stream(survey_id: str) -> str:
    return f"survey:{survey_id}"


def award_stream(award_id: str) -> str:
    return f"award:{award_id}"


def submission_stream(submission_id: str) -> str:
    return f"submission:{submission_id}"


def taxonomy_stream(city: str) -> str:
    return f"taxonomy:{city}"


ACTIVITY = aggregate(activity_stream, Activity, evolve_activity)
PLAN: AggregateSpec[tuple[str, int], Plan] = aggregate(  # keyed by (unit, year)
    lambda key: plan_stream(*key), lambda: Plan(targets={}), evolve_plan
)
PUBLICATION = aggregate(publication_stream, Publication, evolve_publication)
MEETING = aggregate(meeting_stream, Meeting, evolve_meeting)
TAXONOMY = aggregate(taxonomy_stream, Taxonomy, evolve_taxonomy)  # keyed by the city's path
SURVEY = aggregate(survey_stream, Recorded, evolve_recorded)
AWARD = aggregate(award_stream, Recorded, evolve_recorded)
SUBMISSION = aggregate(submission_stream, Submission, evolve_submission)

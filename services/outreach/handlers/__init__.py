"""Outreach command handlers, one module per aggregate (activities, meetings, plans, publications,
submissions) plus bulk imports: each loads, decides with the rule of the same name in domain/, and returns the decision."""

from __future__ import annotations

from contracts.outreach import (
    CorrectActivity,
    LogActivities,
    LogActivity,
    Publish,
    RecordViews,
    ReviewPublication,
    RevisePublication,
    SetTarget,
    SubmitPublication,
    VoidActivity,
)
from contracts.outreach_backfill import RecordPublications
from contracts.outreach_meetings import RecordMeeting, RecordMeetings, SetMeetingTarget
from contracts.outreach_proofreads import ProofreadPublication
from contracts.outreach_records import RecordAward, RecordFieldSurvey
from contracts.outreach_submissions import RecordAdoption, RecordSubmission, SetQuota
from contracts.outreach_taxonomy import DefineActivitySubtype, RetireActivitySubtype
from services.eventkit.commanding import Handlers
from services.outreach.handlers import (
    activities,
    imports,
    meetings,
    past_publications,
    plans,
    publications,
    records,
    submissions,
    taxonomy,
)

HANDLERS: Handlers = {
    LogActivity: activities.log_activity,
    LogActivities: imports.log_activities,
    CorrectActivity: activities.correct_activity,
    VoidActivity: activities.void_activity,
    SetTarget: plans.set_target,
    SubmitPublication: publications.submit_publication,
    ReviewPublication: publications.review_publication,
    RevisePublication: publications.revise_publication,
    Publish: publications.publish,
    RecordViews: publications.record_views,
    RecordPublications: past_publications.record_publications,
    ProofreadPublication: publications.proofread_publication,
    RecordMeeting: meetings.record_meeting,
    RecordMeetings: meetings.record_meetings,
    SetMeetingTarget: plans.set_meeting_target,
    DefineActivitySubtype: taxonomy.define_activity_subtype,
    RecordFieldSurvey: records.record_field_survey,
    RecordAward: records.record_award,
    RecordSubmission: submissions.record_submission,
    RecordAdoption: submissions.record_adoption,
    SetQuota: plans.set_quota,
    RetireActivitySubtype: taxonomy.retire_activity_subtype,
}

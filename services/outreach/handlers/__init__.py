"""Outreach command handlers, one module per aggregate (activities, plans, publications) plus bulk
imports: each loads, decides with the rule of the same name in domain/, and returns the decision."""

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
from services.eventkit.commanding import Handlers
from services.outreach.handlers import activities, imports, plans, publications

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
}

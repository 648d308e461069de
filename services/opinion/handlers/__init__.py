"""Opinion command and timer handlers: cases (the closed loop and linkage between levels), plans (the
response plan, nil reports) and timers (deadlines, the overdue ladder), over session.py's loading."""

from __future__ import annotations

from contracts.opinion import (
    AcknowledgeOpinion,
    AdoptResponsePlan,
    AssignOpinion,
    CloseOpinion,
    DecideExtension,
    EscalateOpinion,
    FileNilReport,
    GiveFeedback,
    GradeOpinion,
    IngestItem,
    RecordAction,
    ReopenOpinion,
    ReportItems,
    ReportOpinion,
    RequestExtension,
    ReturnOpinion,
    SuperviseOpinion,
)
from services.eventkit.commanding import Handlers
from services.eventkit.timers import TimerHandler
from services.opinion.domain import closed_loop, linkage
from services.opinion.domain.deadlines import DEADLINE_TIMER, LADDER_TIMER
from services.opinion.handlers import backfill, cases, plans, timers

HANDLERS: Handlers = {
    AdoptResponsePlan: plans.adopt_response_plan,
    ReportOpinion: cases.report,
    IngestItem: cases.ingest_item,
    ReportItems: backfill.report_items,
    GradeOpinion: cases.grade,
    AssignOpinion: cases.assign,
    AcknowledgeOpinion: cases.simple(closed_loop.decide_acknowledge),
    RecordAction: cases.simple(closed_loop.decide_record_action),
    GiveFeedback: cases.simple(closed_loop.decide_feedback),
    CloseOpinion: cases.simple(closed_loop.decide_close),
    ReopenOpinion: cases.reopen,
    ReturnOpinion: cases.simple(linkage.decide_return),
    EscalateOpinion: cases.simple(linkage.decide_escalate),
    RequestExtension: cases.simple(linkage.decide_request_extension),
    DecideExtension: cases.simple(linkage.decide_extension),
    SuperviseOpinion: cases.simple(linkage.decide_supervise),
    FileNilReport: plans.file_nil_report,
}
TIMERS: dict[str, TimerHandler] = {DEADLINE_TIMER: timers.deadline_passed, LADDER_TIMER: timers.ladder_step}

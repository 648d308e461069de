"""Units, a response plan and cases in every state, for the opinion tests (pure: no servers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from contracts.opinion import (
    AcknowledgeOpinion,
    AssignOpinion,
    CloseOpinion,
    GiveFeedback,
    GradeOpinion,
    RecordAction,
    ReportOpinion,
    SeverityLimits,
)
from contracts.registry import DomainEvent
from services.opinion.domain import Case, CaseState, evolve
from services.opinion.domain import closed_loop as rules

CITY = "3205"
COUNTY = "3205.320506"
TOWN = "3205.320506.320506001"
TOWN2 = "3205.320506.320506002"
OTHER_COUNTY = "3205.320507"
CASE_ID = "case-0001"
# Wednesday 30 September 2026, 10:00 in Shanghai: the National Day week (1–7 Oct) starts tomorrow,
# and Saturday 10 October is a 调休 make-up workday.
NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


def limits(
    ack: dict[str, int],
    response: dict[str, int],
    close: dict[str, int],
    supervise: dict[str, int],
    escalate: dict[str, int],
) -> dict[str, Any]:
    return {
        "acknowledge": ack,
        "first_response": response,
        "close": close,
        "supervise_after": supervise,
        "escalate_after": escalate,
    }


PLAN_LIMITS: dict[str, Any] = {
    "I": limits({"hours": 1}, {"hours": 2}, {"workdays": 1}, {"hours": 2}, {"hours": 4}),
    "II": limits({"hours": 2}, {"hours": 6}, {"workdays": 3}, {"hours": 2}, {"hours": 4}),
    "III": limits({"workdays": 1}, {"workdays": 2}, {"workdays": 5}, {"workdays": 1}, {"workdays": 1}),
    "IV": limits({"workdays": 1}, {"workdays": 2}, {"workdays": 3}, {"workdays": 1}, {"workdays": 2}),
}


def severity_limits(severity: str) -> SeverityLimits:
    return SeverityLimits.model_validate(PLAN_LIMITS[severity])


def fold(case: Case, events: list[DomainEvent]) -> Case:
    for event in events:
        case = evolve(case, event)
    return case


def report_command(unit: str = CITY, drill: bool = False) -> ReportOpinion:
    return ReportOpinion(
        case_id=CASE_ID,
        unit=unit,
        channel="weibo",
        title="网传某养老院护工虐待老人",
        excerpt="视频显示护工推搡老人……",
        link="https://weibo.example/post/1",
        captured_at=NOW,
        drill=drill,
    )


def reported(unit: str = CITY, drill: bool = False) -> Case:
    return fold(Case(), rules.decide_report(Case(), CASE_ID, True, NOW, report_command(unit, drill)))


def grade_command(unit: str = CITY, severity: str = "II", owner: str = TOWN) -> GradeOpinion:
    return GradeOpinion(
        case_id=CASE_ID,
        unit=unit,
        relevant=True,
        category="elderly_care",
        severity=severity,
        owning_unit=owner,
    )


def graded(severity: str = "II", at: datetime = NOW, base: Case | None = None) -> Case:
    case = base or reported()
    command = grade_command(case.desk, severity)
    return fold(case, rules.decide_grade(case, command, True, (1, severity_limits(severity)), at))


def assigned(to: str = TOWN, severity: str = "II", at: datetime = NOW) -> Case:
    case = graded(severity, at)
    command = AssignOpinion(case_id=CASE_ID, unit=case.desk, to_unit=to)
    return fold(case, rules.decide_assign(case, command, True, severity_limits(severity), at))


def acknowledged(to: str = TOWN, severity: str = "II", at: datetime = NOW) -> Case:
    case = assigned(to, severity, at)
    return fold(case, rules.decide_acknowledge(case, AcknowledgeOpinion(case_id=CASE_ID, unit=to)))


def disposing(to: str = TOWN) -> Case:
    case = acknowledged(to)
    command = RecordAction(case_id=CASE_ID, unit=to, action="verify", description="实地核实")
    return fold(case, rules.decide_record_action(case, command))


def feedback_given(to: str = TOWN) -> Case:
    case = disposing(to)
    command = GiveFeedback(case_id=CASE_ID, unit=to, said="已公开回应", reception="accepted")
    return fold(case, rules.decide_feedback(case, command))


def closed() -> Case:
    case = feedback_given()
    command = CloseOpinion(case_id=CASE_ID, unit=case.desk, resolution="核实处理完毕")
    return fold(case, rules.decide_close(case, command))


def dismissed() -> Case:
    case = reported()
    command = GradeOpinion(case_id=CASE_ID, unit=CITY, relevant=False)
    return fold(case, rules.decide_grade(case, command, True, None, NOW))


CASES_BY_STATE: dict[CaseState, Callable[[], Case]] = {
    CaseState.NEW: Case,
    CaseState.REPORTED: reported,
    CaseState.GRADED: graded,
    CaseState.ASSIGNED: assigned,
    CaseState.ACKNOWLEDGED: acknowledged,
    CaseState.DISPOSING: disposing,
    CaseState.FEEDBACK_GIVEN: feedback_given,
    CaseState.CLOSED: closed,
    CaseState.DISMISSED: dismissed,
}

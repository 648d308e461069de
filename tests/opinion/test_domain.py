"""The case's state machine, given/when/then: every illegal transition is refused naming the state and
what it allows, and each rule about who may take which step holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from contracts.opinion import (
    AcknowledgeOpinion,
    AssignOpinion,
    CloseOpinion,
    DeadlineKind,
    DecideExtension,
    EscalateOpinion,
    GiveFeedback,
    GradeOpinion,
    OpinionEscalated,
    OpinionReturned,
    RecordAction,
    ReopenOpinion,
    RequestExtension,
    ReturnOpinion,
    SuperviseOpinion,
)
from contracts.registry import DomainEvent
from services.eventkit.errors import DomainError, Forbidden, NotFound
from services.eventkit.localtime import local_date
from services.opinion.domain import TRANSITIONS, Case, CaseState, Step, level_above, linkage
from services.opinion.domain import closed_loop as rules
from tests.opinion.builders import (
    CASE_ID,
    CASES_BY_STATE,
    CITY,
    COUNTY,
    NOW,
    OTHER_COUNTY,
    TOWN,
    TOWN2,
    acknowledged,
    assigned,
    closed,
    dismissed,
    disposing,
    feedback_given,
    fold,
    grade_command,
    graded,
    report_command,
    reported,
    severity_limits,
)

LIMITS = severity_limits("II")


def attempt(case: Case, step: Step, unit: str) -> list[DomainEvent]:
    """Take ``step`` on ``case`` acting as ``unit``, with a valid command."""
    ids: dict[str, Any] = {"case_id": CASE_ID, "unit": unit}
    if step is Step.REPORT:
        return rules.decide_report(case, CASE_ID, True, NOW, report_command(unit))
    if step is Step.GRADE:
        return rules.decide_grade(case, grade_command(unit), True, (1, LIMITS), NOW)
    if step is Step.ASSIGN:
        return rules.decide_assign(case, AssignOpinion(**ids, to_unit=TOWN), True, LIMITS, NOW)
    if step is Step.ACKNOWLEDGE:
        return rules.decide_acknowledge(case, AcknowledgeOpinion(**ids))
    if step is Step.RECORD_ACTION:
        return rules.decide_record_action(case, RecordAction(**ids, action="verify", description="核实"))
    if step is Step.GIVE_FEEDBACK:
        return rules.decide_feedback(case, GiveFeedback(**ids, said="已回应", reception="neutral"))
    if step is Step.CLOSE:
        return rules.decide_close(case, CloseOpinion(**ids, resolution="办结"))
    if step is Step.REOPEN:
        return rules.decide_reopen(case, ReopenOpinion(**ids, reason="群众仍有反映"), LIMITS, NOW)
    if step is Step.RETURN:
        return linkage.decide_return(case, ReturnOpinion(**ids, reason="不属本单位职责"))
    if step is Step.ESCALATE:
        return linkage.decide_escalate(case, EscalateOpinion(**ids, reason="超出处置能力"))
    if step is Step.REQUEST_EXTENSION:
        return linkage.decide_request_extension(case, RequestExtension(**ids, workdays=2, reason="需会商"))
    if step is Step.DECIDE_EXTENSION:
        return linkage.decide_extension(case, DecideExtension(**ids, approved=True))
    return linkage.decide_supervise(case, SuperviseOpinion(**ids, reason="重点督办"))


ILLEGAL = [
    (state, step)
    for state in CaseState
    for step in Step
    if (state, step) not in TRANSITIONS and not (state is CaseState.NEW and step is not Step.REPORT)
]


@pytest.mark.parametrize(("state", "step"), ILLEGAL, ids=[f"{s.value}-{t.value}" for s, t in ILLEGAL])
def test_every_illegal_transition_names_the_state_and_what_it_allows(state: CaseState, step: Step) -> None:
    case = CASES_BY_STATE[state]()
    assert case.state is state
    with pytest.raises(DomainError) as refused:
        attempt(case, step, case.handler)
    message = refused.value.message
    if step is Step.REPORT:
        assert message == f"case {CASE_ID} is already reported"
    else:
        allowed = [t.value for (s, t) in TRANSITIONS if s is state]
        assert f"case {CASE_ID} is {state.value}: it cannot {step.value.replace('_', ' ')} now" in message
        assert f"allowed now: {', '.join(allowed) or 'nothing'}" in message
    assert refused.value.field == "case_id"


@pytest.mark.parametrize("step", [step for step in Step if step is not Step.REPORT])
def test_no_step_on_a_case_that_was_never_reported(step: Step) -> None:
    with pytest.raises(NotFound, match=f"there is no opinion case {CASE_ID}"):
        attempt(Case(), step, CITY)


def test_the_whole_loop_reaches_closed_and_meets_every_deadline() -> None:
    case = closed()
    assert case.state is CaseState.CLOSED
    assert case.deadlines == {}
    assert case.desk == CITY
    assert case.assignee == TOWN
    assert (case.severity, case.owning_unit, case.plan_version) == ("II", TOWN, 1)


def test_deadlines_start_at_grading_and_dispatch_and_end_when_met() -> None:
    case = graded()
    assert set(case.deadlines) == {DeadlineKind.FIRST_RESPONSE, DeadlineKind.CLOSE}
    assert case.deadlines[DeadlineKind.FIRST_RESPONSE].due_at == NOW + timedelta(hours=6)
    later = NOW + timedelta(minutes=30)
    case = fold(case, attempt(case, Step.ASSIGN, CITY))
    assert set(case.deadlines) == {DeadlineKind.FIRST_RESPONSE, DeadlineKind.CLOSE, DeadlineKind.ACKNOWLEDGE}
    assert case.deadlines[DeadlineKind.ACKNOWLEDGE].due_at == NOW + timedelta(hours=2)
    assert later  # the ack clock runs from the dispatch (NOW here)
    assert set(acknowledged().deadlines) == {DeadlineKind.FIRST_RESPONSE, DeadlineKind.CLOSE}
    assert set(disposing().deadlines) == {DeadlineKind.CLOSE}


def test_report_needs_a_known_unit_and_a_capture_time_that_has_come() -> None:
    with pytest.raises(NotFound, match="not registered") as unknown:
        rules.decide_report(Case(), CASE_ID, False, NOW, report_command())
    assert unknown.value.field == "unit"
    with pytest.raises(DomainError, match="in the future") as future:
        rules.decide_report(Case(), CASE_ID, True, NOW - timedelta(hours=1), report_command())
    assert future.value.field == "captured_at"


def test_the_drill_flag_is_carried_on_every_event() -> None:
    case = reported(drill=True)
    events = rules.decide_grade(case, grade_command(), True, (1, LIMITS), NOW)
    case = fold(case, events)
    events += attempt(case, Step.ASSIGN, CITY)
    assert case.drill
    assert all(getattr(event, "drill", None) is True for event in events)


def test_only_the_desk_grades_inside_its_subtree_under_an_adopted_plan() -> None:
    case = reported()
    with pytest.raises(Forbidden, match=f"only {CITY}, which holds the case, can grade"):
        rules.decide_grade(case, grade_command(unit=COUNTY), True, (1, LIMITS), NOW)
    town_case = reported(unit=TOWN)
    with pytest.raises(DomainError, match="escalate the case to a level that covers it"):
        rules.decide_grade(town_case, grade_command(TOWN, owner=COUNTY), True, (1, LIMITS), NOW)
    with pytest.raises(DomainError, match="no response plan has been adopted"):
        rules.decide_grade(case, grade_command(), True, None, NOW)
    with pytest.raises(NotFound, match="not registered"):
        rules.decide_grade(case, grade_command(), False, (1, LIMITS), NOW)


def test_a_regrade_keeps_the_clock_start_and_the_plan_version() -> None:
    case = graded("IV")
    later = NOW + timedelta(days=1)
    regrade = GradeOpinion(
        case_id=CASE_ID, unit=CITY, relevant=True, category="funeral", severity="I", owning_unit=TOWN2
    )
    case = fold(case, rules.decide_grade(case, regrade, True, (1, severity_limits("I")), later))
    assert (case.clock_start, case.severity, case.owning_unit) == (NOW, "I", TOWN2)
    assert case.deadlines[DeadlineKind.FIRST_RESPONSE].due_at == NOW + timedelta(hours=2)


def test_not_relevant_dismisses_and_reopening_sends_it_back_to_grading() -> None:
    case = dismissed()
    assert case.state is CaseState.DISMISSED
    assert case.deadlines == {}
    case = fold(case, attempt(case, Step.REOPEN, CITY))
    assert case.state is CaseState.REPORTED


def test_dispatch_stays_in_the_desks_subtree_and_the_assignee_may_pass_it_down() -> None:
    case = graded()
    county_case = graded(base=reported(COUNTY))
    with pytest.raises(DomainError, match=f"{OTHER_COUNTY} lies outside {COUNTY}"):
        rules.decide_assign(
            county_case, AssignOpinion(case_id=CASE_ID, unit=COUNTY, to_unit=OTHER_COUNTY), True, LIMITS, NOW
        )
    with pytest.raises(NotFound, match="not registered"):
        rules.decide_assign(case, AssignOpinion(case_id=CASE_ID, unit=CITY, to_unit=TOWN), False, LIMITS, NOW)
    # City → county; the county acknowledges and passes it down to a township (三级联动).
    case = acknowledged(to=COUNTY)
    with pytest.raises(DomainError, match=f"below {COUNTY}"):
        rules.decide_assign(
            case, AssignOpinion(case_id=CASE_ID, unit=COUNTY, to_unit=COUNTY), True, LIMITS, NOW
        )
    case = fold(case, attempt(case, Step.ASSIGN, COUNTY))
    assert (case.state, case.dispatchers, case.assignee, case.desk) == (
        CaseState.ASSIGNED,
        (CITY, COUNTY),
        TOWN,
        COUNTY,
    )


def test_only_the_assignee_acknowledges_acts_and_gives_feedback() -> None:
    for step, case in (
        (Step.ACKNOWLEDGE, assigned()),
        (Step.RECORD_ACTION, acknowledged()),
        (Step.GIVE_FEEDBACK, disposing()),
    ):
        with pytest.raises(Forbidden, match=f"only {TOWN}, to which it is assigned") as refused:
            attempt(case, step, TOWN2)
        assert refused.value.field == "unit"


def test_only_the_desk_closes_and_a_new_action_needs_new_feedback() -> None:
    case = feedback_given()
    with pytest.raises(Forbidden, match=f"only {CITY}, which dispatched it, can close"):
        attempt(case, Step.CLOSE, TOWN)
    case = fold(case, attempt(case, Step.RECORD_ACTION, TOWN))
    assert case.state is CaseState.DISPOSING


def test_reopening_a_closed_case_restarts_the_close_clock() -> None:
    case = closed()
    with pytest.raises(Forbidden, match="or a level above it can reopen"):
        attempt(case, Step.REOPEN, TOWN)
    case = fold(case, attempt(case, Step.REOPEN, CITY))
    assert case.state is CaseState.DISPOSING
    assert set(case.deadlines) == {DeadlineKind.CLOSE}
    assert case.deadlines[DeadlineKind.CLOSE].due_at > NOW


def test_return_goes_back_to_the_desk_then_further_up_the_dispatch_chain() -> None:
    case = assigned()
    events = attempt(case, Step.RETURN, TOWN)
    assert events == [OpinionReturned(case_id=CASE_ID, from_unit=TOWN, to_unit=CITY, reason="不属本单位职责")]
    case = fold(case, events)
    assert (case.state, case.assignee, case.desk) == (CaseState.GRADED, None, CITY)
    assert DeadlineKind.ACKNOWLEDGE not in case.deadlines
    with pytest.raises(DomainError, match="nobody dispatched this case to 3205: escalate it instead"):
        attempt(case, Step.RETURN, CITY)
    # City → county → township; the township returns to the county, which returns it to the city.
    chain = acknowledged(to=COUNTY)
    chain = fold(chain, attempt(chain, Step.ASSIGN, COUNTY))
    chain = fold(chain, attempt(chain, Step.RETURN, TOWN))
    assert (chain.desk, chain.assignee) == (COUNTY, None)
    chain = fold(chain, attempt(chain, Step.RETURN, COUNTY))
    assert (chain.state, chain.dispatchers) == (CaseState.GRADED, (CITY,))


def test_a_unit_cannot_return_what_it_dispatched_to_itself() -> None:
    case = graded()
    case = fold(
        case,
        rules.decide_assign(case, AssignOpinion(case_id=CASE_ID, unit=CITY, to_unit=CITY), True, LIMITS, NOW),
    )
    with pytest.raises(DomainError, match="dispatched this case to itself"):
        attempt(case, Step.RETURN, CITY)


def test_a_township_escalates_up_a_level_and_the_city_cannot() -> None:
    case = reported(unit=TOWN)
    events = attempt(case, Step.ESCALATE, TOWN)
    assert events == [
        OpinionEscalated(case_id=CASE_ID, from_unit=TOWN, to_unit=COUNTY, reason="超出处置能力")
    ]
    case = fold(case, events)
    assert (case.state, case.desk) == (CaseState.REPORTED, COUNTY)
    case = fold(case, attempt(case, Step.ESCALATE, COUNTY))
    assert case.desk == CITY
    with pytest.raises(DomainError, match="the city is the top level"):
        attempt(case, Step.ESCALATE, CITY)
    working = disposing()
    working = fold(working, attempt(working, Step.ESCALATE, TOWN))
    assert (working.state, working.desk, working.assignee) == (CaseState.GRADED, COUNTY, None)


def test_an_extension_is_asked_by_the_assignee_and_decided_by_the_level_above() -> None:
    case = acknowledged()
    with pytest.raises(DomainError, match="no extension request is waiting"):
        attempt(case, Step.DECIDE_EXTENSION, COUNTY)
    case = fold(case, attempt(case, Step.REQUEST_EXTENSION, TOWN))
    with pytest.raises(DomainError, match="already waiting"):
        attempt(case, Step.REQUEST_EXTENSION, TOWN)
    with pytest.raises(Forbidden, match=f"only a level above {TOWN}"):
        attempt(case, Step.DECIDE_EXTENSION, TOWN)
    before = case.deadlines[DeadlineKind.CLOSE].due_at
    case = fold(case, attempt(case, Step.DECIDE_EXTENSION, COUNTY))
    assert case.pending_extension is None
    # Due Sat 10 Oct, a make-up workday (3 working days after Wed 30 Sep: 8, 9, 10 Oct); two more
    # working days skip Sunday: Tue 13 Oct, end of the local day.
    assert local_date(before).isoformat() == "2026-10-10"
    assert local_date(case.deadlines[DeadlineKind.CLOSE].due_at).isoformat() == "2026-10-13"


def test_supervision_comes_from_above_the_handler_and_only_climbs() -> None:
    case = acknowledged()
    with pytest.raises(Forbidden, match=f"only a level above {TOWN} can supervise"):
        attempt(case, Step.SUPERVISE, TOWN)
    case = fold(case, attempt(case, Step.SUPERVISE, CITY))
    assert case.supervisor == CITY
    with pytest.raises(DomainError, match="already supervised by 3205"):
        attempt(case, Step.SUPERVISE, COUNTY)


def test_the_level_above() -> None:
    assert [level_above(path) for path in (TOWN, COUNTY, CITY, "3205.dept_aid", f"{TOWN}.office")] == [
        COUNTY,
        CITY,
        None,
        CITY,
        TOWN,
    ]

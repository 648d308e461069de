"""An opinion case under any sequence of commands and timers: only named refusals, and the rules hold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.opinion import (
    AcknowledgeOpinion,
    ActionKind,
    AssignOpinion,
    Category,
    Channel,
    CloseOpinion,
    DeadlineKind,
    DecideExtension,
    EscalateOpinion,
    GiveFeedback,
    GradeOpinion,
    IngestItem,
    Limit,
    Reception,
    RecordAction,
    ReopenOpinion,
    ReportOpinion,
    RequestExtension,
    ReturnOpinion,
    Severity,
    SeverityLimits,
    SuperviseOpinion,
)
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.opinion.domain import (
    WORKING,
    Case,
    CaseState,
    Step,
    allowed_steps,
    evolve,
    level_above,
    linkage,
    strictly_within,
)
from services.opinion.domain import closed_loop as rules
from services.opinion.domain.deadlines import decide_deadline_missed, decide_ladder_step, wanted_timers
from tests.properties.streams import Stream, state_is_its_events

CASE_ID = "case-0001"
CITY = "3205"
UNITS = (CITY, "3205.320506", "3205.320506.320506001", "3205.320506.320506001.dept01", "3205.320507")
LIMITS = SeverityLimits(
    acknowledge=Limit(hours=2),
    first_response=Limit(hours=4),
    close=Limit(workdays=3),
    supervise_after=Limit(hours=8),
    escalate_after=Limit(workdays=1),
)
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
Decide = Callable[[Case, datetime], Sequence[DomainEvent]]

# Who acts: a unit named by its part in the case (so that sequences get past the first refusals), or any
# unit of the test city (so that the wrong unit is tried too).
PARTS = ("desk", "assignee", "above", "below", "supervisor")


def who(usual: str) -> st.SearchStrategy[str]:
    """Mostly the unit whose part it is to act, sometimes any other."""
    return st.sampled_from([usual] * 10 + [*PARTS, *UNITS])


text = st.sampled_from(["核实情况", "已回应", "x"])


def acting(case: Case, part: str) -> str:
    """The unit that ``part`` names in ``case`` now."""
    if part == "desk":
        return case.desk or CITY
    if part == "assignee":
        return case.assignee or case.desk or CITY
    if part == "above":
        return level_above(case.handler or CITY) or CITY
    if part == "below":
        return next((unit for unit in UNITS if strictly_within(unit, case.handler or CITY)), CITY)
    if part == "supervisor":
        return case.supervisor or CITY
    return part


def report(
    case: Case, now: datetime, unit: str, drill: bool, ingested: bool = False, minutes_ahead: int = -60
) -> Sequence[DomainEvent]:
    """Staff report it, or a monitoring platform's item comes in through ingest (the same rule)."""
    item: dict[str, Any] = {
        "unit": unit,
        "channel": Channel.WEIBO,
        "title": "t",
        "excerpt": "e",
        "drill": drill,
    }
    item["captured_at"] = now + timedelta(minutes=minutes_ahead)
    command = (
        IngestItem(source="monitor", external_id="x-1", **item)
        if ingested
        else ReportOpinion(case_id=CASE_ID, **item)
    )
    return rules.decide_report(case, CASE_ID, True, now, command)


def grade(
    case: Case, now: datetime, part: str, owner: str, relevant: bool, severity: Severity
) -> Sequence[DomainEvent]:
    unit = acting(case, part)
    command = GradeOpinion(case_id=CASE_ID, unit=unit, relevant=False)
    if relevant:
        owning_unit = acting(case, owner)
        fields: dict[str, Any] = {
            "category": Category.ELDERLY_CARE,
            "severity": severity,
            "owning_unit": owning_unit,
        }
        command = GradeOpinion(case_id=CASE_ID, unit=unit, relevant=True, **fields)
    return rules.decide_grade(case, command, True, (1, LIMITS), now)


def assign(case: Case, now: datetime, part: str, target: str) -> Sequence[DomainEvent]:
    command = AssignOpinion(case_id=CASE_ID, unit=acting(case, part), to_unit=acting(case, target))
    return rules.decide_assign(case, command, True, LIMITS, now)


def reopen(case: Case, now: datetime, part: str) -> Sequence[DomainEvent]:
    command = ReopenOpinion(case_id=CASE_ID, unit=acting(case, part), reason="再次反映")
    return rules.decide_reopen(case, command, LIMITS, now)


def with_now(
    function: Callable[..., Sequence[DomainEvent]], *drawn: st.SearchStrategy[Any]
) -> st.SearchStrategy[Decide]:
    """A step whose rule takes the moment: ``function(case, now, *values drawn)``."""
    return st.builds(lambda *values: lambda case, now: function(case, now, *values), *drawn)


def on_case(
    rule: Callable[[Case, Any], Sequence[DomainEvent]], model: Any, usual: str = "assignee", **fields: Any
) -> st.SearchStrategy[Decide]:
    """A step that sends ``model`` as the unit a drawn part names, with the other fields drawn."""

    def step(part: str, drawn: dict[str, Any]) -> Decide:
        return lambda case, now: rule(case, model(case_id=CASE_ID, unit=acting(case, part), **drawn))

    return st.builds(step, who(usual), st.fixed_dictionaries(fields))


# Each step decides at a moment: the commands as the handlers call the rules (units known, a plan
# adopted), and the two timers as the reactions fire them.
TIMERS = "timers"
STEPS: dict[str, st.SearchStrategy[Decide]] = {
    Step.REPORT: with_now(
        report, st.sampled_from(UNITS), st.booleans(), st.booleans(), st.sampled_from([-60, 0, 4, 6])
    ),
    Step.GRADE: with_now(
        grade, who("desk"), who("desk"), st.sampled_from([True, True, True, False]), st.sampled_from(Severity)
    ),
    Step.ASSIGN: with_now(assign, who("desk") | who("assignee"), who("below")),
    Step.ACKNOWLEDGE: on_case(rules.decide_acknowledge, AcknowledgeOpinion),
    Step.RECORD_ACTION: on_case(
        rules.decide_record_action, RecordAction, action=st.sampled_from(ActionKind), description=text
    ),
    Step.GIVE_FEEDBACK: on_case(
        rules.decide_feedback, GiveFeedback, said=text, reception=st.sampled_from(Reception)
    ),
    Step.CLOSE: on_case(rules.decide_close, CloseOpinion, "desk", resolution=text),
    Step.REOPEN: with_now(reopen, who("desk")),
    Step.RETURN: on_case(linkage.decide_return, ReturnOpinion, reason=text),
    Step.ESCALATE: on_case(linkage.decide_escalate, EscalateOpinion, reason=text),
    Step.REQUEST_EXTENSION: on_case(
        linkage.decide_request_extension, RequestExtension, workdays=st.integers(1, 30), reason=text
    ),
    Step.DECIDE_EXTENSION: on_case(
        linkage.decide_extension, DecideExtension, "above", approved=st.booleans()
    ),
    Step.SUPERVISE: on_case(linkage.decide_supervise, SuperviseOpinion, "above", reason=text),
    TIMERS: st.sampled_from(DeadlineKind).map(
        lambda kind: lambda case, now: decide_deadline_missed(case, kind, now, LIMITS)
    )
    | st.just(lambda case, now: decide_ladder_step(case, now, LIMITS)),
}


def next_step(data: st.DataObject, case: Case) -> Decide:
    """Mostly a step the case's state allows (so scripts go deep), sometimes any step at all."""
    if data.draw(st.sampled_from([True, True, True, False]), label="follow the table"):
        allowed = allowed_steps(case.state)
        names: list[str] = [*allowed, *allowed[:2], *allowed[:2], TIMERS]  # the loop's own way forward first
    else:
        names = list(STEPS)
    return data.draw(STEPS[data.draw(st.sampled_from(names), label="step")])


# --- the rules a case keeps, one function each ---------------------------------------------------------
def a_closed_case_has_stopped_its_clocks(case: Case) -> None:
    """Closed (its close time is the OpinionClosed event's own time): no deadline, ladder or request runs."""
    if case.state is CaseState.CLOSED:
        assert case.deadlines == {}
        assert case.ladder_at is None
        assert case.pending_extension is None


def a_dismissed_item_runs_no_deadline(case: Case) -> None:
    if case.state is CaseState.DISMISSED:
        assert case.deadlines == {}
        assert case.ladder_at is None


def a_dispatched_case_has_an_assignee_below_its_desk(case: Case) -> None:
    if case.state in (CaseState.ASSIGNED, *WORKING, CaseState.CLOSED):
        assert case.assignee is not None
    if case.assignee is not None:
        assert is_within(case.assignee, case.desk)


def a_graded_case_has_owner_severity_and_plan(case: Case) -> None:
    if case.state not in (CaseState.NEW, CaseState.REPORTED, CaseState.DISMISSED):
        assert case.owning_unit is not None
        assert case.severity is not None
        assert case.plan_version == 1
        assert case.clock_start is not None


def the_ladder_climbs_only_while_something_is_overdue(case: Case) -> None:
    if case.ladder_at is not None:
        assert case.overdue()


def an_extension_waits_only_while_the_assignee_works_the_case(case: Case) -> None:
    if case.pending_extension is not None:
        assert case.state in WORKING


def a_timer_runs_for_every_running_deadline_and_nothing_else(case: Case) -> None:
    """An open case wants one timer per deadline not yet missed and one for the ladder; others want none."""
    wanted = wanted_timers(case)
    if not case.is_open:
        assert wanted == {}
        return
    running = [clock.due_at for clock in case.deadlines.values() if not clock.missed]
    ladder = [case.ladder_at] if case.ladder_at is not None else []
    assert sorted(timer.due_at for timer in wanted.values()) == sorted([*running, *ladder])


CASE_RULES = (
    a_timer_runs_for_every_running_deadline_and_nothing_else,
    a_closed_case_has_stopped_its_clocks,
    a_dismissed_item_runs_no_deadline,
    a_dispatched_case_has_an_assignee_below_its_desk,
    a_graded_case_has_owner_severity_and_plan,
    the_ladder_climbs_only_while_something_is_overdue,
    an_extension_waits_only_while_the_assignee_works_the_case,
)


@settings(max_examples=200)  # deep sequences find more than many short ones; still a few seconds
@given(data=st.data(), length=st.integers(1, 40))
def test_any_sequence_of_case_commands_and_timers_keeps_the_case_rules(
    data: st.DataObject, length: int
) -> None:
    stream = Stream(Case(), evolve)
    now = START
    for _ in range(length):
        decide = next_step(data, stream.state)
        now += timedelta(hours=data.draw(st.integers(0, 30), label="hours later"))
        stream.attempt(lambda case, decide=decide, now=now: decide(case, now))  # type: ignore[misc]
        for rule in CASE_RULES:
            rule(stream.state)
    state_is_its_events(stream)


TOWNSHIP = UNITS[2]
LEAVING: dict[str, Decide] = {
    "escalate": lambda case, now: linkage.decide_escalate(
        case, EscalateOpinion(case_id=CASE_ID, unit=TOWNSHIP, reason="x")
    ),
    "return": lambda case, now: linkage.decide_return(
        case, ReturnOpinion(case_id=CASE_ID, unit=TOWNSHIP, reason="x")
    ),
    "pass down": lambda case, now: assign(case, now, "assignee", "below"),
}


@pytest.mark.parametrize("leave", sorted(LEAVING))
def test_an_extension_request_leaves_with_the_assignee(leave: str) -> None:
    """Found by the property above: a request survived a return, an escalation or a passing down, so the
    next assignee could ask for none of its own, and (passed down) its requester could grant it itself."""
    ask = RequestExtension(case_id=CASE_ID, unit=TOWNSHIP, workdays=1, reason="x")
    script: list[Decide] = [
        lambda case, now: report(case, now, UNITS[1], False),
        lambda case, now: grade(case, now, "desk", "desk", True, Severity.IV),
        lambda case, now: assign(case, now, "desk", "below"),
        lambda case, now: rules.decide_acknowledge(case, AcknowledgeOpinion(case_id=CASE_ID, unit=TOWNSHIP)),
        lambda case, now: linkage.decide_request_extension(case, ask),
        LEAVING[leave],
    ]
    stream = Stream(Case(), evolve)
    for decide in script:
        assert stream.attempt(lambda case, decide=decide: decide(case, START))  # type: ignore[misc]
    an_extension_waits_only_while_the_assignee_works_the_case(stream.state)
    assert stream.state.pending_extension is None

"""Pure: the case row the view keeps follows the domain's case (desk, dispatch chain, assignee, waiting
extension) through passing down, returns, extensions and escalation, and at every point the case page
offers a form from a unit exactly when the domain would accept that step from that unit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.commands import Actor, Role
from contracts.opinion import (
    AcknowledgeOpinion,
    AssignOpinion,
    DecideExtension,
    EscalateOpinion,
    OpinionReported,
    ReopenOpinion,
    RequestExtension,
    ReturnOpinion,
)
from contracts.registry import DomainEvent
from services.eventkit.errors import DomainError
from services.gateway.catalog import Messages
from services.gateway.opinion_forms import offered_steps
from services.opinion.domain import Case, evolve, linkage
from services.opinion.domain import closed_loop as loop
from services.projection.opinion_view import apply_to_case, new_case
from tests.opinion.builders import (
    CASE_ID,
    CITY,
    COUNTY,
    NOW,
    TOWN,
    grade_command,
    report_command,
    severity_limits,
)

UNITS = (CITY, COUNTY, TOWN)
LIMITS = severity_limits("II")
ids = {"case_id": CASE_ID}


class Both:
    """One case as the domain folds it and as the view's row holds it."""

    def __init__(self) -> None:
        self.case = Case()
        self.row: dict[str, Any] = {}
        self.take(loop.decide_report(self.case, CASE_ID, True, NOW, report_command(CITY)))

    def take(self, events: list[DomainEvent]) -> None:
        for event in events:
            self.case = evolve(self.case, event)
            if isinstance(event, OpinionReported):
                self.row = new_case(event, NOW)
            else:
                apply_to_case(self.row, event, NOW + timedelta(minutes=1))
        self.agree()

    def agree(self) -> None:
        case, row = self.case, self.row
        assert (row["state"], row["desk"], row["assignee"]) == (case.state.value, case.desk, case.assignee)
        assert row["dispatchers"] == list(case.dispatchers)
        assert row["pending_extension"] == case.pending_extension

    def page_row(self) -> dict[str, Any]:
        """The row as the case query answers it (deadlines as JSON, kind → due)."""
        return {**self.row, "deadlines": {str(kind): due for kind, due in self.row["deadlines"].items()}}


def accepts(decide: Callable[[], object]) -> bool:
    try:
        decide()
    except DomainError:
        return False
    return True


def domain_accepts(both: Both, step: str, unit: str) -> bool:
    """Whether the domain takes ``step`` from ``unit`` now (the form's other fields filled sensibly)."""
    case = both.case
    deciders: dict[str, Callable[[], object]] = {
        "return": lambda: linkage.decide_return(case, ReturnOpinion(**ids, unit=unit, reason="不属于职责")),
        "escalate": lambda: linkage.decide_escalate(case, EscalateOpinion(**ids, unit=unit, reason="上报")),
        "reopen": lambda: loop.decide_reopen(
            case, ReopenOpinion(**ids, unit=unit, reason="重新办理"), LIMITS, NOW
        ),
        "request_extension": lambda: linkage.decide_request_extension(
            case, RequestExtension(**ids, unit=unit, workdays=2, reason="需协调")
        ),
        "decide_extension": lambda: linkage.decide_extension(
            case, DecideExtension(**ids, unit=unit, approved=True)
        ),
    }
    return accepts(deciders[step])


def offered_units(both: Both, step: str) -> set[str]:
    """The units whose clerk-and-leader sessions the case page offers ``step`` to, as the unit acting."""
    found = set()
    for scope in UNITS:
        actor = Actor(id=f"test@{scope}", scope=scope, roles=frozenset({Role.CLERK, Role.LEADER}))
        for offered in offered_steps(both.page_row(), actor):
            if offered.step == step:
                found.add(str(offered.acting_unit(both.page_row(), actor)))
    return found


def check_offers(both: Both) -> None:
    """For each step with a rule beyond its state: offered as exactly the units the domain accepts it from."""
    for step in ("return", "escalate", "reopen", "request_extension", "decide_extension"):
        accepted = {unit for unit in UNITS if domain_accepts(both, step, unit)}
        assert offered_units(both, step) == accepted, (step, both.row["state"])


def test_the_view_and_the_forms_follow_the_domain_through_the_loop() -> None:
    both = Both()
    both.take(loop.decide_grade(both.case, grade_command(CITY, "II", TOWN), True, (1, LIMITS), NOW))
    check_offers(both)
    both.take(
        loop.decide_assign(both.case, AssignOpinion(**ids, unit=CITY, to_unit=COUNTY), True, LIMITS, NOW)
    )
    both.take(loop.decide_acknowledge(both.case, AcknowledgeOpinion(**ids, unit=COUNTY)))
    check_offers(both)
    both.take(
        loop.decide_assign(both.case, AssignOpinion(**ids, unit=COUNTY, to_unit=TOWN), True, LIMITS, NOW)
    )
    assert both.row["dispatchers"] == [CITY, COUNTY]  # passed down: 吴中区 joins the chain
    both.take(loop.decide_acknowledge(both.case, AcknowledgeOpinion(**ids, unit=TOWN)))
    both.take(
        linkage.decide_request_extension(
            both.case, RequestExtension(**ids, unit=TOWN, workdays=3, reason="需协调")
        )
    )
    assert both.row["pending_extension"] == 3
    check_offers(both)
    both.take(linkage.decide_return(both.case, ReturnOpinion(**ids, unit=TOWN, reason="不属于职责")))
    assert both.row["pending_extension"] is None  # the request left with the assignee
    check_offers(both)
    both.take(linkage.decide_return(both.case, ReturnOpinion(**ids, unit=COUNTY, reason="超出区级职责")))
    assert both.row["desk"] == CITY
    check_offers(both)
    both.take(loop.decide_assign(both.case, AssignOpinion(**ids, unit=CITY, to_unit=TOWN), True, LIMITS, NOW))
    both.take(loop.decide_acknowledge(both.case, AcknowledgeOpinion(**ids, unit=TOWN)))
    both.take(
        linkage.decide_request_extension(
            both.case, RequestExtension(**ids, unit=TOWN, workdays=2, reason="需协调")
        )
    )
    check_offers(both)
    both.take(linkage.decide_extension(both.case, DecideExtension(**ids, unit=COUNTY, approved=False)))
    check_offers(both)
    both.take(linkage.decide_escalate(both.case, EscalateOpinion(**ids, unit=TOWN, reason="需区级协调")))
    assert both.row["dispatchers"] == [COUNTY]
    check_offers(both)


@pytest.mark.parametrize("scope", UNITS)
def test_a_session_without_the_role_gets_none_of_the_leaders_forms(scope: str) -> None:
    both = Both()
    both.take(loop.decide_grade(both.case, grade_command(CITY, "II", TOWN), True, (1, LIMITS), NOW))
    both.take(loop.decide_assign(both.case, AssignOpinion(**ids, unit=CITY, to_unit=TOWN), True, LIMITS, NOW))
    both.take(loop.decide_acknowledge(both.case, AcknowledgeOpinion(**ids, unit=TOWN)))
    both.take(
        linkage.decide_request_extension(
            both.case, RequestExtension(**ids, unit=TOWN, workdays=3, reason="需协调")
        )
    )
    clerk = Actor(id=f"clerk@{scope}", scope=scope, roles=frozenset({Role.CLERK}))
    names = {step.step for step in offered_steps(both.page_row(), clerk)}
    assert not names & {"decide_extension", "supervise"}


def test_every_refusal_the_opinion_domain_codes_has_words_in_both_catalogs() -> None:
    domain = Path(loop.__file__).parent
    codes = {
        code for source in domain.glob("*.py") for code in re.findall(r'rule="([a-z_]+)"', source.read_text())
    }
    assert {"return_not_dispatched", "extension_waiting", "escalate_at_top"} <= codes
    for lang in ("zh", "en"):
        missing = sorted(code for code in codes if Messages(lang, "reason.").text(code) is None)
        assert not missing, (lang, missing)

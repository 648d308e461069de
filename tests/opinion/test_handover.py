"""Cases across sites, pure (given events, when a decision, then events): the city hands a county site's
case over and refuses to fork it; a county site adopts only what is handed to it, and gets back only what
it handed; the city's supervision is received only on a case held here."""

from __future__ import annotations

import pytest

from contracts.opinion import OpinionHandedOver, OpinionReported, SeverityLimits, SupervisionStarted
from services.opinion.domain import Case, CaseState
from services.opinion.domain.case import HeldElsewhere, Step, require
from services.opinion.domain.handover import (
    decide_adopt,
    decide_hand_over,
    decide_receive_supervision,
    site_above,
    site_of,
)
from tests.opinion.builders import (
    CASE_ID,
    CITY,
    COUNTY,
    NOW,
    OTHER_COUNTY,
    TOWN,
    assigned,
    fold,
    severity_limits,
)

SITES = frozenset({"320506"})


def report() -> OpinionReported:
    return OpinionReported(
        case_id=CASE_ID, unit=CITY, channel="weibo", title="t", excerpt="e", captured_at=NOW, source="staff"
    )


def hand_over(case: Case, site: str, limits: SeverityLimits | None = None) -> OpinionHandedOver:
    [event] = decide_hand_over(case, report(), site, limits)
    assert isinstance(event, OpinionHandedOver)
    return event


def test_the_city_hands_a_county_sites_case_over_and_then_refuses_all_but_supervision() -> None:
    case = assigned(TOWN)
    assert site_of(TOWN, SITES) == "320506"
    assert site_of(f"{OTHER_COUNTY}.320507001", SITES) is None  # a county without a site stays at the city
    [handed] = decide_hand_over(case, report(), "320506", severity_limits("II"))
    held = fold(case, [handed])
    assert held.held_at == "320506"
    assert held.deadlines == {}  # the county runs the clocks now
    assert decide_hand_over(held, report(), "320506", None) == []  # once
    with pytest.raises(HeldElsewhere, match="320506"):
        require(held, Step.ACKNOWLEDGE, CASE_ID)
    assert require(held, Step.SUPERVISE, CASE_ID) is CaseState.ASSIGNED


def test_a_county_site_adopts_what_is_handed_to_it_once_and_nothing_else() -> None:
    handed = hand_over(assigned(TOWN), "320506", severity_limits("II"))
    assert decide_adopt(Case(), handed, "e1", "320507", "city") == []  # another site's
    [adopted] = decide_adopt(Case(), handed, "e1", "320506", "city")
    case = fold(Case(), [adopted])
    assert (case.state, case.assignee, case.handed_limits) == (
        CaseState.ASSIGNED,
        TOWN,
        severity_limits("II"),
    )
    assert decide_adopt(case, handed, "e1", "320506", "city") == []  # held here already


def test_a_case_handed_up_comes_back_only_from_the_site_it_went_to() -> None:
    down = hand_over(assigned(TOWN), "320506")
    [adopted] = decide_adopt(Case(), down, "e1", "320506", "city")
    at_county = fold(Case(), [adopted])
    assert site_above(COUNTY, COUNTY, "city") is None
    assert site_above(CITY, COUNTY, "city") == "city"
    up = hand_over(at_county, "city")
    handed_up = fold(at_county, [up])
    back = up.model_copy(update={"to_site": "320506"})
    assert decide_adopt(handed_up, back, "e2", "320506", "320507") == []  # not where it went
    assert decide_adopt(handed_up, back, "e2", "320506", "city") != []


def test_the_citys_supervision_is_received_only_on_a_case_held_here() -> None:
    started = SupervisionStarted(case_id=CASE_ID, supervisor=CITY, reason="限期办结")
    assert decide_receive_supervision(Case(), started, "e3") == []
    [received] = decide_receive_supervision(assigned(TOWN), started, "e3")
    assert fold(assigned(TOWN), [received]).supervisor == CITY

"""The response plan is versioned and adopted by the city; nil reports are one per post and day (pure)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from contracts.opinion import AdoptResponsePlan, FileNilReport, GradeOpinion, Limit, NilReportFiled, Severity
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.opinion.domain.plans import Plans, decide_adopt_plan, decide_file_nil_report, evolve_plans
from tests.opinion.builders import CITY, COUNTY, PLAN_LIMITS, TOWN

TODAY = date(2026, 10, 12)


def adopt(plans: Plans, note: str = "") -> Plans:
    command = AdoptResponsePlan(unit=CITY, limits=PLAN_LIMITS, note=note)
    for event in decide_adopt_plan(plans, command):
        plans = evolve_plans(plans, event)
    return plans


def test_each_adoption_is_a_new_version_and_old_versions_stay_readable() -> None:
    plans = adopt(adopt(Plans(), "2025版"), "2026版")
    assert plans.latest == 2
    assert plans.limits(1, Severity.I).acknowledge == Limit(hours=1)


def test_the_plan_is_adopted_by_the_city_and_covers_every_severity() -> None:
    with pytest.raises(DomainError, match="adopted by the city bureau"):
        decide_adopt_plan(Plans(), AdoptResponsePlan(unit=COUNTY, limits=PLAN_LIMITS))
    partial = {k: v for k, v in PLAN_LIMITS.items() if k != "III"}
    with pytest.raises(ValidationError, match="missing III"):
        AdoptResponsePlan(unit=CITY, limits=partial)
    with pytest.raises(ValidationError, match="exactly one of hours or workdays"):
        Limit(hours=2, workdays=1)
    with pytest.raises(ValidationError, match="exactly one of hours or workdays"):
        Limit()


def test_grading_fields_go_together() -> None:
    with pytest.raises(ValidationError, match="needs category, severity and owning_unit"):
        GradeOpinion(case_id="case-0001", unit=CITY, relevant=True, severity="I")
    with pytest.raises(ValidationError, match="not relevant has no category"):
        GradeOpinion(case_id="case-0001", unit=CITY, relevant=False, severity="I")


def nil(unit: str = TOWN, day: date = TODAY) -> FileNilReport:
    return FileNilReport(unit=unit, day=day)


def test_a_post_files_one_nil_report_a_day() -> None:
    assert decide_file_nil_report(False, True, TODAY, nil()) == [NilReportFiled(unit=TOWN, day=TODAY)]
    with pytest.raises(AlreadyExists, match=f"already filed a nil report for {TODAY}"):
        decide_file_nil_report(True, True, TODAY, nil())


def test_nil_reports_come_from_known_offices_for_today_or_the_past_week() -> None:
    with pytest.raises(DomainError, match="is a section, not a monitoring post"):
        decide_file_nil_report(False, True, TODAY, nil(f"{TOWN}.office"))
    with pytest.raises(NotFound, match="not registered"):
        decide_file_nil_report(False, False, TODAY, nil())
    with pytest.raises(DomainError, match="has not come yet"):
        decide_file_nil_report(False, True, TODAY, nil(day=date(2026, 10, 13)))
    with pytest.raises(DomainError, match="more than 7 days ago"):
        decide_file_nil_report(False, True, TODAY, nil(day=date(2026, 10, 4)))
    assert decide_file_nil_report(False, True, TODAY, nil(day=date(2026, 10, 5)))

"""Information submissions (信息报送、录用) and their quotas, given/when/then: an item recorded once for a
registered unit, back-dated only with a reason; an adoption only of a recorded item of the same unit,
once per outlet, not before the item was sent; quotas set by the rule every target follows and measured
period by period with shortfalls (e.g. 4 items a month, 12 adoptions a year)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts.commands import COMMANDS
from contracts.inputs import validate_input
from contracts.outreach import Cadence
from contracts.outreach_submissions import (
    QuotaMeasure,
    QuotaSet,
    RecordAdoption,
    RecordSubmission,
    SetQuota,
    SubmissionAdopted,
    SubmissionRecorded,
)
from contracts.registry import DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.outreach.domain.plans import Plan, Tally, decide_set_quota, evolve_plan, progress
from services.outreach.domain.submissions import (
    Submission,
    decide_record_adoption,
    decide_record_submission,
    evolve_submission,
)

TODAY = date(2025, 6, 30)
NOW = datetime(2025, 6, 30, 4, tzinfo=UTC)
SECTION = "3205.dept01"
OTHER = "3205.dept02"


def submission(**changes: Any) -> RecordSubmission:
    body = {
        "submission_id": "sub-0001",
        "unit": SECTION,
        "title": "我局开展养老服务政策宣讲进社区活动",
        "submitted_on": "2025-06-20",
        "level": "province",
        "recipient": "江苏省民政厅办公室",
    }
    return validate_input(RecordSubmission, body | changes, NOW)


def adoption(**changes: Any) -> RecordAdoption:
    body = {
        "submission_id": "sub-0001",
        "unit": SECTION,
        "adopted_on": "2025-06-25",
        "level": "province",
        "outlet": "江苏民政信息",
    }
    return validate_input(RecordAdoption, body | changes, NOW)


def given(*events: DomainEvent) -> Submission:
    state = Submission()
    for event in events:
        state = evolve_submission(state, event)
    return state


def sent() -> Submission:
    return given(*decide_record_submission(Submission(), True, TODAY, submission()))


def test_an_item_is_recorded_with_the_day_it_was_sent_and_to_whom() -> None:
    (event,) = decide_record_submission(Submission(), True, TODAY, submission())
    assert isinstance(event, SubmissionRecorded)
    assert (event.unit, event.submitted_on, event.level.value) == (SECTION, date(2025, 6, 20), "province")
    assert event.recipient == "江苏省民政厅办公室"


def test_an_item_is_recorded_once_and_only_for_a_registered_unit() -> None:
    with pytest.raises(AlreadyExists):
        decide_record_submission(sent(), True, TODAY, submission())
    with pytest.raises(NotFound) as refused:
        decide_record_submission(Submission(), False, TODAY, submission())
    assert refused.value.field == "unit"


def test_an_item_sent_more_than_a_month_ago_needs_a_reason() -> None:
    late = submission(submitted_on="2025-04-01")
    with pytest.raises(DomainError) as refused:
        decide_record_submission(Submission(), True, TODAY, late)
    assert refused.value.field == "backdate_reason"
    (event,) = decide_record_submission(
        Submission(), True, TODAY, submission(submitted_on="2025-04-01", backdate_reason="上半年台账补录")
    )
    assert isinstance(event, SubmissionRecorded)
    assert event.backdate_reason == "上半年台账补录"


def test_an_item_sent_in_days_to_come_is_refused_at_the_door() -> None:
    with pytest.raises(ValueError, match="submitted_on"):
        submission(submitted_on="2025-07-05")


def test_an_adoption_is_recorded_by_outlet_and_level() -> None:
    (event,) = decide_record_adoption(sent(), TODAY, adoption())
    assert isinstance(event, SubmissionAdopted)
    assert (event.outlet, event.level.value, event.adopted_on) == (
        "江苏民政信息",
        "province",
        date(2025, 6, 25),
    )


def test_an_item_adopted_by_two_outlets_is_two_adoptions_but_each_outlet_once() -> None:
    recorded = decide_record_submission(Submission(), True, TODAY, submission())
    state = given(*recorded, *decide_record_adoption(given(*recorded), TODAY, adoption()))
    with pytest.raises(AlreadyExists) as refused:
        decide_record_adoption(state, TODAY, adoption())
    assert refused.value.field == "outlet"
    (again,) = decide_record_adoption(state, TODAY, adoption(level="national", outlet="中国社会报"))
    assert isinstance(again, SubmissionAdopted)


def test_an_adoption_of_an_item_never_sent_or_of_another_unit_is_not_found() -> None:
    with pytest.raises(NotFound) as missing:
        decide_record_adoption(Submission(), TODAY, adoption())
    assert missing.value.field == "submission_id"
    with pytest.raises(NotFound):
        decide_record_adoption(sent(), TODAY, adoption(unit=OTHER))


def test_an_adoption_before_the_item_was_sent_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decide_record_adoption(sent(), TODAY, adoption(adopted_on="2025-06-19"))
    assert (refused.value.field, refused.value.rule) == ("adopted_on", "adopted_before_submitted")


def test_an_adoption_recorded_late_needs_a_reason() -> None:
    back = submission(submitted_on="2025-05-01", backdate_reason="补录")
    early = given(*decide_record_submission(Submission(), True, TODAY, back))
    with pytest.raises(DomainError) as refused:
        decide_record_adoption(early, TODAY, adoption(adopted_on="2025-05-10"))
    assert refused.value.field == "backdate_reason"


def quota(
    count: int = 4, cadence: Cadence = Cadence.MONTH, reason: str | None = None, **more: Any
) -> SetQuota:
    measure = more.get("measure", QuotaMeasure.SUBMITTED)
    return SetQuota(unit=SECTION, year=2025, measure=measure, cadence=cadence, count=count, reason=reason)


def test_a_quota_is_set_revised_with_a_reason_and_never_twice_the_same() -> None:
    (first,) = decide_set_quota(Plan(targets={}), True, quota())
    assert isinstance(first, QuotaSet)
    assert first.revision == 1
    plan = evolve_plan(Plan(targets={}), first)
    with pytest.raises(AlreadyExists):
        decide_set_quota(plan, True, quota())
    with pytest.raises(DomainError) as refused:
        decide_set_quota(plan, True, quota(count=6))
    assert refused.value.field == "reason"
    (second,) = decide_set_quota(plan, True, quota(count=6, reason="市局提高报送要求"))
    assert isinstance(second, QuotaSet)
    assert second.revision == 2
    with pytest.raises(NotFound):
        decide_set_quota(Plan(targets={}), False, quota())
    with pytest.raises(DomainError) as nothing:
        decide_set_quota(Plan(targets={}), True, quota(count=0))
    assert nothing.value.field == "count"


def test_quotas_of_each_measure_live_beside_the_activity_and_meeting_targets() -> None:
    plan = Plan(targets={})
    for measure, cadence in (
        (QuotaMeasure.SUBMITTED, Cadence.MONTH),
        (QuotaMeasure.ADOPTED, Cadence.YEAR),
        (QuotaMeasure.PUBLISHED, Cadence.YEAR),
    ):
        (event,) = decide_set_quota(plan, True, quota(12, cadence, measure=measure))
        plan = evolve_plan(plan, event)
    assert plan.targets == {}
    assert plan.meeting_targets == {}
    assert sorted(m.value for m, _ in plan.quotas) == ["adopted", "published", "submitted"]


def test_a_monthly_quota_is_judged_month_by_month_a_surplus_not_carried_over() -> None:
    (event,) = decide_set_quota(Plan(targets={}), True, quota(4, Cadence.MONTH))
    (goal,) = evolve_plan(Plan(targets={}), event).quotas.values()
    months = {(2025, 1): Tally(6), (2025, 2): Tally(1)}
    periods = progress(goal, 2025, months, TODAY)
    january, february, march = periods[:3]
    assert (january.actual, january.shortfall, january.met) == (6, 0, True)
    assert (february.actual, february.shortfall) == (1, 3)
    assert (march.actual, march.shortfall) == (0, 4)
    assert periods[6].shortfall == 0  # July has not come: nothing is short yet


def test_the_commands_are_for_recorders_and_quotas_for_leaders() -> None:
    assert {role.value for role in COMMANDS["outreach.set_quota"].allowed_roles} == {"admin", "leader"}
    assert "clerk" in {role.value for role in COMMANDS["outreach.record_submission"].allowed_roles}

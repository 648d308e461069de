"""Activity rules, given/when/then: logged once, corrected with a reason (before and after kept), voided
for good — never edited in place."""

from __future__ import annotations

from datetime import date
from functools import reduce
from typing import Any

import pytest

from contracts.outreach import (
    ActivityCorrected,
    ActivityKind,
    ActivityLogged,
    ActivityVoided,
    CorrectActivity,
    LogActivity,
    VoidActivity,
)
from contracts.registry import REGISTRY, DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.outreach.domain import (
    Activity,
    decide_correct_activity,
    decide_log_activity,
    decide_void_activity,
    evolve_activity,
)

TODAY = date(2025, 6, 30)
UNIT = "3205.320506.320506001"


def log(**changes: Any) -> LogActivity:
    body: dict[str, Any] = {
        "activity_id": "act-2025-0001",
        "unit": UNIT,
        "kind": "outreach_talk",
        "topic": "民法典进社区",
        "held_on": "2025-06-01",
        "audience": 120,
    }
    return LogActivity.model_validate(body | changes)


def given(*events: DomainEvent) -> Activity:
    return reduce(evolve_activity, events, Activity())


def logged(**changes: Any) -> ActivityLogged:
    (event,) = decide_log_activity(Activity(), True, TODAY, log(**changes))
    assert isinstance(event, ActivityLogged)
    return event


def correct(**changes: Any) -> CorrectActivity:
    body = {"activity_id": "act-2025-0001", "unit": UNIT, "reason": "人次录错"}
    return CorrectActivity.model_validate(body | changes)


def test_logging_records_every_fact() -> None:
    event = logged(
        participants=["张三", "李四"], duration_minutes=90, venue="社区活动中心", speakers=["王五"]
    )
    assert event.participants == ["张三", "李四"]
    assert (event.duration_minutes, event.venue, event.speakers) == (90, "社区活动中心", ["王五"])
    assert event.source is None


def test_the_logged_event_is_what_validating_it_would_give() -> None:
    """decide_log_activity assembles the event without validating it again: it must equal a validated
    one in every field and in its JSON form, so a field added to one model and not the other shows here."""
    event = logged(
        participants=["张三"], duration_minutes=45, venue="村委会", speakers=["王五"], starts_at="09:30"
    )
    validated = ActivityLogged.model_validate(event.model_dump())
    assert event == validated
    assert event.model_dump(mode="json") == validated.model_dump(mode="json")
    assert set(LogActivity.model_fields) <= set(ActivityLogged.model_fields)


def test_an_activity_is_logged_only_once() -> None:
    with pytest.raises(AlreadyExists):
        decide_log_activity(given(logged()), True, TODAY, log())


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(NotFound) as refused:
        decide_log_activity(Activity(), False, TODAY, log())
    assert refused.value.field == "unit"


def test_an_activity_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decide_log_activity(Activity(), True, TODAY, log(held_on="2025-07-01"))
    assert refused.value.field == "held_on"
    found = refused.value.field_error()  # the rule by code and values, for pages in any language
    assert found is not None
    assert (found.code, found.params) == ("date_in_future", {"date": "2025-07-01", "today": str(TODAY)})


def test_the_audience_cannot_be_below_the_named_participants() -> None:
    with pytest.raises(DomainError) as refused:
        decide_log_activity(Activity(), True, TODAY, log(audience=1, participants=["张三", "李四"]))
    assert refused.value.field == "audience"


def test_a_correction_keeps_the_facts_before_and_after() -> None:
    (event,) = decide_correct_activity(given(logged()), TODAY, correct(audience=150, venue="街道礼堂"))
    assert isinstance(event, ActivityCorrected)
    assert (event.before.audience, event.after.audience) == (120, 150)
    assert event.after.venue == "街道礼堂"
    assert event.changed == ["audience", "venue"]
    assert event.reason == "人次录错"
    assert given(logged(), event).facts == event.after
    assert given(logged(), event).corrections == 1


def test_a_field_left_out_stays_and_null_clears_an_optional_one() -> None:
    before = given(logged(starts_at="09:30", speakers=["王五"]))
    (event,) = decide_correct_activity(before, TODAY, correct(starts_at=None, speakers=None))
    assert isinstance(event, ActivityCorrected)
    assert (event.after.starts_at, event.after.speakers) == (None, [])
    assert event.after.topic == "民法典进社区"


def test_a_required_fact_cannot_be_cleared() -> None:
    with pytest.raises(DomainError) as refused:
        decide_correct_activity(given(logged()), TODAY, correct(topic=None))
    assert refused.value.field == "topic"


def test_a_correction_that_changes_nothing_is_refused() -> None:
    with pytest.raises(DomainError, match="changes nothing"):
        decide_correct_activity(given(logged()), TODAY, correct(audience=120))


def test_a_correction_is_checked_like_a_new_activity() -> None:
    with pytest.raises(DomainError) as refused:
        decide_correct_activity(given(logged()), TODAY, correct(held_on="2025-07-02"))
    assert refused.value.field == "held_on"


def test_another_units_activity_reads_as_a_missing_one() -> None:
    with pytest.raises(NotFound) as elsewhere:
        decide_correct_activity(given(logged()), TODAY, correct(unit="3205.320506"))
    with pytest.raises(NotFound) as missing:
        decide_correct_activity(Activity(), TODAY, correct(unit="3205.320506"))
    assert (elsewhere.value.message, elsewhere.value.field) == (missing.value.message, missing.value.field)
    assert "320506001" not in elsewhere.value.message  # the unit the activity belongs to is never named


def test_an_unknown_activity_cannot_be_corrected_or_voided() -> None:
    with pytest.raises(NotFound):
        decide_correct_activity(Activity(), TODAY, correct(audience=1))
    with pytest.raises(NotFound):
        decide_void_activity(
            Activity(), VoidActivity(activity_id="act-2025-0001", unit=UNIT, reason="重复登记")
        )


def test_voiding_is_final_and_carries_what_the_activity_counted_as() -> None:
    void = VoidActivity(activity_id="act-2025-0001", unit=UNIT, reason="重复登记")
    (event,) = decide_void_activity(given(logged()), void)
    assert isinstance(event, ActivityVoided)
    assert (event.facts.kind, event.facts.audience) == (ActivityKind.OUTREACH_TALK, 120)
    voided = given(logged(), event)
    assert voided.voided
    with pytest.raises(DomainError, match="voided"):
        decide_void_activity(voided, void)
    with pytest.raises(DomainError, match="voided"):
        decide_correct_activity(voided, TODAY, correct(audience=1))


def test_a_version_1_activity_logged_event_is_read_as_version_2() -> None:
    data = {
        "activity_id": "act-2025-0001",
        "unit": UNIT,
        "kind": "outreach_talk",
        "topic": "民法典进社区",
        "held_on": "2025-06-01",
        "audience": 120,
    }
    upcast = REGISTRY.upcast("outreach.activity_logged", 1, data)
    event = ActivityLogged.model_validate(upcast)
    assert (event.participants, event.evidence, event.source) == ([], [], None)

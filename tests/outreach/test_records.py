"""Field surveys and awards, given/when/then: recorded once, for a registered unit, back-dated only with
a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts.inputs import validate_input
from contracts.outreach_records import AwardRecorded, FieldSurveyRecorded, RecordAward, RecordFieldSurvey
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.outreach.domain.records import (
    Recorded,
    decide_record_award,
    decide_record_field_survey,
    evolve_recorded,
)

NOW = datetime(2025, 6, 30, 4, tzinfo=UTC)
TODAY = date(2025, 6, 30)
TOWNSHIP = "3205.320506.320506001"


def survey(**changes: Any) -> RecordFieldSurvey:
    body = {
        "survey_id": "survey-0001",
        "unit": TOWNSHIP,
        "held_on": "2025-06-18",
        "led_by": "张明",
        "topic": "基层意识形态阵地管理调研",
        "places": ["长桥街道便民服务中心", "新时代文明实践站"],
        "problems": [{"description": "宣传栏内容陈旧", "solved": True}, {"description": "电子屏无专人审核"}],
    }
    return validate_input(RecordFieldSurvey, body | changes, NOW)


def award(**changes: Any) -> RecordAward:
    body = {
        "award_id": "award-0001",
        "unit": TOWNSHIP,
        "kind": "best_window",
        "title": "2025年度最美民政窗口",
        "recipient": "长桥街道社会救助窗口",
        "awarded_by": "苏州市民政局",
        "awarded_on": "2025-06-25",
    }
    return validate_input(RecordAward, body | changes, NOW)


def test_a_field_survey_is_recorded_once_with_its_problems() -> None:
    (event,) = decide_record_field_survey(Recorded(), True, TODAY, survey())
    assert isinstance(event, FieldSurveyRecorded)
    assert [p.solved for p in event.problems] == [True, False]
    with pytest.raises(AlreadyExists):
        decide_record_field_survey(evolve_recorded(Recorded(), event), True, TODAY, survey())
    with pytest.raises(NotFound):
        decide_record_field_survey(Recorded(), False, TODAY, survey())


def test_a_survey_long_ago_needs_a_reason() -> None:
    with pytest.raises(DomainError) as refused:
        decide_record_field_survey(Recorded(), True, TODAY, survey(held_on="2025-01-10"))
    assert refused.value.field == "backdate_reason"
    assert decide_record_field_survey(
        Recorded(), True, TODAY, survey(held_on="2025-01-10", backdate_reason="补录")
    )


def test_an_award_is_recorded_once_and_back_dated_only_with_a_reason() -> None:
    (event,) = decide_record_award(Recorded(), True, TODAY, award())
    assert isinstance(event, AwardRecorded)
    with pytest.raises(AlreadyExists):
        decide_record_award(evolve_recorded(Recorded(), event), True, TODAY, award())
    with pytest.raises(DomainError) as refused:
        decide_record_award(Recorded(), True, TODAY, award(awarded_on="2024-12-20"))
    assert refused.value.field == "backdate_reason"

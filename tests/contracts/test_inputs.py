"""The door's rules on the real contracts: strict types in JSON mode, text, date windows, the plan
horizon, and none of it applied outside the door (stored events are never re-judged)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.inputs import MAX_JSON_DEPTH, InputError, read_json, validate_input
from contracts.opinion.commands import RecordAction
from contracts.outreach import ActivityLogged, LogActivity, SetTarget

NOW = datetime(2026, 6, 30, 20, tzinfo=UTC)  # 2026-07-01 04:00 in Asia/Shanghai
ACTIVITY: dict[str, Any] = {
    "activity_id": "act-00000001",
    "unit": "3205",
    "kind": "seminar",
    "topic": "专题研讨",
    "held_on": "2026-04-01",
    "starts_at": "09:30",
    "audience": 20,
    "participants": ["张三"],
}


def refusal(model: type[Any], data: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_input(model, data, NOW)
    first = caught.value.errors()[0]
    return ".".join(str(part) for part in first["loc"]), first["msg"]


def test_json_strings_for_dates_times_and_enums_still_parse_while_numbers_are_strict() -> None:
    command = validate_input(LogActivity, ACTIVITY, NOW)
    assert (command.held_on, command.audience) == (date(2026, 4, 1), 20)
    assert refusal(LogActivity, ACTIVITY | {"audience": True})[0] == "audience"
    assert refusal(LogActivity, ACTIVITY | {"audience": "10"})[0] == "audience"
    assert refusal(LogActivity, ACTIVITY | {"audience": 10.0})[0] == "audience"


def test_dates_lie_in_their_window_in_shanghai_time() -> None:
    assert validate_input(LogActivity, ACTIVITY | {"held_on": "2000-01-01"}, NOW)
    assert validate_input(LogActivity, ACTIVITY | {"held_on": "2026-07-02"}, NOW)  # a day's tolerance
    assert "in the future" in refusal(LogActivity, ACTIVITY | {"held_on": "2026-07-03"})[1]
    assert "before 2000-01-01" in refusal(LogActivity, ACTIVITY | {"held_on": "1999-12-31"})[1]


def test_plans_may_lie_ahead_within_the_horizon() -> None:
    target = {"unit": "3205", "year": 2031, "kind": "seminar", "cadence": "month", "count": 2}
    assert validate_input(SetTarget, target, NOW).year == 2031
    field, reason = refusal(SetTarget, target | {"year": 2032})
    assert (field, "5 years ahead" in reason) == ("year", True)


def test_text_lines_refuse_breaks_and_multiline_fields_allow_them() -> None:
    assert refusal(LogActivity, ACTIVITY | {"topic": "a\tb"})[0] == "topic"
    assert refusal(LogActivity, ACTIVITY | {"participants": ["张\u202e三"]})[0] == "participants"
    action = {"case_id": "case-0001", "unit": "3205", "action": "verify", "description": "第一段\n\t第二段"}
    assert validate_input(RecordAction, action, NOW).description == "第一段\n\t第二段"
    field, reason = refusal(RecordAction, action | {"description": "a\rb"})
    assert (field, "U+000D" in reason) == ("description", True)


def test_the_json_reader_bounds_nesting_and_refuses_non_finite_numbers() -> None:
    assert read_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "body")
    cases: list[tuple[str | bytes, str]] = [
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "body.0"),
        ("[" * 5000 + "]" * 5000, "body"),
        ('{"a": NaN}', "body"),
        ('{"a": -1e999}', "body.a"),
        ('{"a": "\\udc00"}', "body"),
        (b'{"a": "\xed\xa0\x80"}', "body"),  # a surrogate encoded as bytes is not UTF-8
        (b"\xff\xfe{}", "body"),
    ]
    for raw, field in cases:
        with pytest.raises(InputError) as caught:
            read_json(raw, "body")
        assert caught.value.field.startswith(field), raw[:20]


def test_outside_the_door_stored_events_are_not_re_judged() -> None:
    """An event stored before the door existed (year 1, a control character) still decodes on replay."""
    old = ActivityLogged.model_validate(
        ACTIVITY | {"held_on": "0001-01-01", "topic": "\x1b", "participants": []}
    )
    assert old.held_on == date(1, 1, 1)

"""Every registered command, through the real door: any JSON is accepted or refused with a validation
error (never another exception), refusals name fields, and what is accepted round-trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts.commands import COMMANDS, Command
from contracts.inputs import InputError, read_json, validate_input
from services.eventkit.errors import field_errors
from tests.properties.schema_bodies import json_values, near_miss

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # fixed: the door's date windows depend on it
ALL_COMMANDS = sorted(COMMANDS)
PER_COMMAND = 25  # examples per command and test: 50 commands × 2 tests stay within about 30 seconds
DEEP: Any = {"unit": "3205"}
for _ in range(20):  # deeper than the door allows
    DEEP = {"unit": [DEEP]}


def through_the_door(model: type[Command], raw: bytes) -> Command | None:
    """What the command bus does with a body: read the JSON, validate strictly; None when refused.
    A refusal must be a validation error that names at least one field, like the bus's reply does."""
    try:
        return validate_input(model, read_json(raw, "body"), NOW)
    except (InputError, ValidationError) as error:
        refusal = field_errors(error, "body.")
    assert refusal, "a refusal must name what was wrong"
    return None


def assert_round_trips(accepted: Command) -> None:
    """model → JSON → model through the same door gives the same command."""
    again = through_the_door(type(accepted), accepted.model_dump_json().encode())
    assert again == accepted


def encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")


def test_the_suite_covers_every_registered_command() -> None:
    assert len(ALL_COMMANDS) >= 40  # found from the registry; a registry that lost its imports is empty


@pytest.mark.parametrize("name", ALL_COMMANDS)
@settings(max_examples=PER_COMMAND)
@given(body=json_values)
@example(body={"unit": "3205\x00"})
@example(body=DEEP)
def test_any_json_is_accepted_or_refused_cleanly(name: str, body: Any) -> None:
    if (accepted := through_the_door(COMMANDS[name], encode(body))) is not None:
        assert_round_trips(accepted)


@pytest.mark.parametrize("name", ALL_COMMANDS)
@settings(max_examples=PER_COMMAND)
@given(data=st.data())
def test_schema_shaped_and_near_miss_bodies_are_accepted_or_refused_cleanly(name: str, data: Any) -> None:
    model = COMMANDS[name]
    body = data.draw(near_miss(model), label="body")
    if (accepted := through_the_door(model, encode(body))) is not None:
        assert_round_trips(accepted)


@given(
    raw=st.binary(max_size=200)
    | st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass"))
)
@example(raw=b'{"a": NaN}')
@example(raw=b'{"a": 1e999}')
@example(raw=b'"\\ud800"')
@example(raw=b"\xff\xfe")
def test_raw_bytes_are_read_or_refused_cleanly(raw: bytes) -> None:
    for model in (COMMANDS["outreach.log_activity"], COMMANDS["assessment.adopt_scheme"]):
        through_the_door(model, raw)

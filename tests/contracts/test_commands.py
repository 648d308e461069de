"""Commands and their envelopes: unknown fields rejected, strings bounded, numbers in range."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from contracts.commands import (
    COMMANDS,
    Actor,
    Command,
    CommandReply,
    CommandRequest,
    ErrorBody,
    Role,
    command,
)
from contracts.duty import RegisterUnit, UnitKind
from contracts.outreach import MAX_AUDIENCE, ActivityKind, LogActivity


def activity(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "activity_id": "act-2025-0001",
        "unit": "3205.320506.320506001",
        "kind": "outreach_talk",
        "topic": "民法典进社区",
        "held_on": "2025-03-01",
        "audience": 120,
    }
    return body | changes


def test_the_contract_commands_are_registered() -> None:
    assert COMMANDS["duty.register_unit"] is RegisterUnit
    assert COMMANDS["outreach.log_activity"] is LogActivity
    assert RegisterUnit.allowed_roles == frozenset({Role.ADMIN})
    assert LogActivity.allowed_roles == frozenset({Role.ADMIN, Role.CLERK})


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_names_the_unit_it_acts_on(name: str) -> None:
    """Authorization asks every command for its target unit: a ``unit`` field, or its own target_unit."""
    model = COMMANDS[name]
    assert "unit" in model.model_fields or model.target_unit is not Command.target_unit, name


def test_a_command_without_a_unit_says_so() -> None:
    class Nameless(Command):
        note: str

    with pytest.raises(NotImplementedError, match="Nameless has no unit field"):
        Nameless(note="x").target_unit()


def test_a_valid_log_activity() -> None:
    logged = LogActivity.model_validate(activity(topic="  民法典进社区  "))
    assert logged.kind is ActivityKind.OUTREACH_TALK
    assert logged.topic == "民法典进社区"  # whitespace is stripped
    assert logged.starts_at is None
    assert logged.target_unit() == "3205.320506.320506001"


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (LogActivity, activity(note="x")),
        (RegisterUnit, {"path": "3205.320506", "name": "姑苏区", "kind": "county_office", "parent": "3205"}),
    ],
)
def test_extra_fields_are_rejected(model: type[Command], body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="extra"):
        model.model_validate(body)


@pytest.mark.parametrize(
    "changes",
    [
        {"topic": "宣" * 201},
        {"topic": ""},
        {"topic": "   "},  # only whitespace is empty once stripped
        {"activity_id": "short"},
        {"activity_id": "a" * 65},
        {"activity_id": "act 2025 0001"},
        {"unit": "3205.330506"},
        {"kind": "picnic"},
        {"held_on": "2025-02-30"},
    ],
)
def test_log_activity_fields_are_bounded(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        LogActivity.model_validate(activity(**changes))


def test_a_topic_of_200_chinese_characters_fits() -> None:
    """Lengths count characters, not UTF-8 bytes."""
    assert len(LogActivity.model_validate(activity(topic="宣" * 200)).topic) == 200


@pytest.mark.parametrize(
    ("audience", "valid"), [(-1, False), (0, True), (MAX_AUDIENCE, True), (MAX_AUDIENCE + 1, False)]
)
def test_log_activity_audience_bounds(audience: int, valid: bool) -> None:
    if valid:
        assert LogActivity.model_validate(activity(audience=audience)).audience == audience
    else:
        with pytest.raises(ValidationError, match="audience"):
            LogActivity.model_validate(activity(audience=audience))


def test_register_unit_name_is_bounded() -> None:
    body = {"path": "3205.320506", "kind": "county_office"}
    assert RegisterUnit.model_validate(body | {"name": "名" * 100}).kind is UnitKind.COUNTY_OFFICE
    for name in ("", "名" * 101):
        with pytest.raises(ValidationError):
            RegisterUnit.model_validate(body | {"name": name})


def test_every_command_string_is_bounded_by_default() -> None:
    class Note(Command):  # not registered: a plain subclass of the base
        text: str

    assert Note(text="x" * 4000).text == "x" * 4000
    with pytest.raises(ValidationError):
        Note(text="x" * 4001)


def test_a_command_name_registered_twice_is_refused() -> None:
    before = dict(COMMANDS)
    with pytest.raises(ValueError, match="registered twice"):

        @command("duty.register_unit")
        class Impostor(Command):
            pass

    assert before == COMMANDS


ACTOR = {"id": "clerk-1", "scope": "3205.320506", "roles": ["clerk"]}


def test_a_command_request_carries_actor_id_and_body() -> None:
    request = CommandRequest.model_validate({"actor": ACTOR, "commandid": "cmd-00000001", "body": activity()})
    assert request.actor == Actor(id="clerk-1", scope="3205.320506", roles=frozenset({Role.CLERK}))
    assert request.correlationid is None


@pytest.mark.parametrize(
    "request_fields",
    [
        {"actor": ACTOR, "commandid": "cmd-00000001", "body": {}, "priority": 1},
        {"actor": ACTOR | {"tenant": "x"}, "commandid": "cmd-00000001", "body": {}},
        {"actor": ACTOR | {"roles": []}, "commandid": "cmd-00000001", "body": {}},
        {"actor": ACTOR | {"roles": ["mayor"]}, "commandid": "cmd-00000001", "body": {}},
        {"actor": ACTOR | {"scope": "3205.330506"}, "commandid": "cmd-00000001", "body": {}},
        {"actor": ACTOR | {"id": ""}, "commandid": "cmd-00000001", "body": {}},
        {"actor": ACTOR, "commandid": "short", "body": {}},
        {"actor": ACTOR, "commandid": "c" * 65, "body": {}},
        {"actor": ACTOR, "commandid": "cmd-00000001", "correlationid": "c" * 65, "body": {}},
        {"actor": ACTOR, "commandid": "cmd-00000001"},
    ],
)
def test_malformed_requests_are_rejected(request_fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CommandRequest.model_validate(request_fields)


def test_replies_round_trip_with_field_errors() -> None:
    reply = CommandReply(
        ok=False,
        error=ErrorBody.model_validate(
            {
                "code": "invalid",
                "message": "some fields are not valid",
                "fields": [{"field": "body.audience", "reason": "too big"}],
            }
        ),
    )
    assert CommandReply.model_validate_json(reply.model_dump_json()) == reply
    with pytest.raises(ValidationError):
        ErrorBody.model_validate({"code": "oops", "message": "x"})

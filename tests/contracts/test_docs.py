"""The examples in docs/contracts.md are valid against the contracts they illustrate."""

from __future__ import annotations

import json
import re
from pathlib import Path

from contracts.commands import COMMANDS, CommandReply, CommandRequest
from contracts.envelope import EventEnvelope, utc_now
from contracts.inputs import validate_input
from contracts.registry import REGISTRY
from contracts.units import is_within

GUIDE = (Path(__file__).parents[2] / "docs" / "contracts.md").read_text(encoding="utf-8")


def json_blocks() -> list[str]:
    return re.findall(r"```json\n(.*?)```", GUIDE, flags=re.DOTALL)


def test_the_envelope_example_decodes() -> None:
    (example,) = [block for block in json_blocks() if '"specversion"' in block]
    envelope = EventEnvelope.model_validate_json(example)
    assert REGISTRY.decode(envelope).model_dump(mode="json") == envelope.data


def test_the_reply_examples_are_command_replies() -> None:
    replies = [CommandReply.model_validate_json(block) for block in json_blocks() if '"ok"' in block]
    assert [reply.ok for reply in replies] == [True, False]


def test_the_nats_req_example_is_a_valid_command() -> None:
    (subject, payload) = re.findall(r"nats req (sanji\.cmd\.\S+) '(.*?)'", GUIDE, flags=re.DOTALL)[0]
    request = CommandRequest.model_validate(json.loads(payload))
    body = validate_input(COMMANDS[subject.removeprefix("sanji.cmd.")], request.body, utc_now())
    assert is_within(body.target_unit(), request.actor.scope)

"""The examples in docs/opinion.md are valid against the contracts, and every opinion command is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

import contracts  # noqa: F401  (registers every command)
from contracts.commands import COMMANDS, Command, CommandRequest
from contracts.opinion import IngestItem
from services.cli.demo_opinion import PLAN
from services.eventkit.ingest import sender

GUIDE = (Path(__file__).parents[2] / "docs" / "opinion.md").read_text(encoding="utf-8")
OPINION_COMMANDS = {name: model for name, model in COMMANDS.items() if name.startswith("opinion.")}


def accepts(model: type[Command], body: dict[str, object]) -> bool:
    try:
        model.model_validate(body)
    except ValidationError:
        return False
    return True


def test_every_json_example_is_a_valid_opinion_command() -> None:
    blocks = re.findall(r"```json\n(.*?)```", GUIDE, flags=re.DOTALL)
    assert len(blocks) >= 15
    for block in blocks:
        body = json.loads(block)
        assert [name for name, model in OPINION_COMMANDS.items() if accepts(model, body)], block


def test_every_opinion_command_is_shown() -> None:
    assert {name for name in OPINION_COMMANDS if f"`{name}`" not in GUIDE} == set()


def test_the_ingest_example_is_a_valid_request() -> None:
    ((subject, payload),) = re.findall(
        r"req (sanji\.ingest\.opinion\.item\.\S+) '(.*?)'", GUIDE, flags=re.DOTALL
    )
    sent = json.loads(payload)
    assert "actor" not in sent  # the sender is the subject's system, whatever a body would claim
    request = CommandRequest.model_validate({**sent, "actor": sender(subject).model_dump(mode="json")})
    assert request.actor.id == "system:monitor"
    assert IngestItem.model_validate(request.body).unit == "3205.320506"


def test_the_documented_plan_is_the_demos() -> None:
    (plan,) = [
        json.loads(b) for b in re.findall(r"```json\n(.*?)```", GUIDE, flags=re.DOTALL) if '"limits"' in b
    ]
    assert plan["limits"] == PLAN

"""Every command example in docs/duty.md is a valid body of the command its heading names, and
every duty command is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import contracts  # noqa: F401  (registers every command)
from contracts.commands import COMMANDS

GUIDE = (Path(__file__).parents[2] / "docs" / "duty.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"^#### (duty\.[a-z_]+)\n.*?```json\n(.*?)```", GUIDE, flags=re.DOTALL | re.MULTILINE)


def test_every_example_validates_against_its_command() -> None:
    assert EXAMPLES
    for name, body in EXAMPLES:
        COMMANDS[name].model_validate(json.loads(body))


def test_every_duty_command_has_an_example() -> None:
    documented = {name for name, _ in EXAMPLES}
    assert documented == {name for name in COMMANDS if name.startswith("duty.")}

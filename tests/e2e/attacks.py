"""Inputs that pass JSON parsing (or nearly) but used to break later (design trap 9): each is sent over
NATS, over ingest and over HTTP by the tests, and must be refused naming the field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

GOOD_ACTIVITY: dict[str, Any] = {
    "activity_id": "act-00000001",
    "unit": "3205",
    "kind": "seminar",
    "topic": "专题研讨",
    "held_on": "2026-04-01",
    "audience": 20,
}


@dataclass(frozen=True)
class Attack:
    name: str
    key: str
    raw_value: str  # JSON text, as an attacker would type it
    field: str | None  # the body field named; None: the document as a whole cannot be read
    reason: str  # part of the reason given

    def body_text(self, good: dict[str, Any]) -> str:
        """``good`` with ``key`` set to the raw JSON value."""
        rest = json.dumps({k: v for k, v in good.items() if k != self.key}, ensure_ascii=False)
        return f'{rest[:-1]}, "{self.key}": {self.raw_value}}}'


ATTACKS = [
    Attack("year 0001", "held_on", '"0001-01-01"', "held_on", "before 2000-01-01"),
    Attack("NUL", "topic", '"a\\u0000b"', "topic", "NUL"),
    Attack("lone surrogate", "topic", '"\\ud800"', None, "lone surrogate"),
    Attack("nested 900 deep", "venue", "[" * 900 + "]" * 900, None, "nested deeper"),
    Attack("nested 20 deep", "venue", "[" * 20 + "]" * 20, "venue.0.0", "nested deeper"),
    Attack("true for an int", "audience", "true", "audience", "valid integer"),
    Attack('"10" for an int', "audience", '"10"', "audience", "valid integer"),
    Attack("NaN", "audience", "NaN", None, "NaN"),
    Attack("Infinity", "audience", "Infinity", None, "NaN and Infinity"),
    Attack("1e999", "audience", "1e999", "audience", "NaN and Infinity"),
    Attack("ANSI escape", "topic", '"\\u001b[31m红"', "topic", "control character U+001B"),
    Attack("C1 control", "topic", '"a\\u0085b"', "topic", "control character U+0085"),
    Attack("RTL override", "topic", '"\\u202etxt.exe"', "topic", "bidirectional control U+202E"),
    Attack("RTL isolate", "topic", '"a\\u2067b"', "topic", "bidirectional control U+2067"),
    Attack("line break in a line", "topic", '"a\\nb"', "topic", "single line"),
]

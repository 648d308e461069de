"""Hypothesis strategies for JSON: any value, bodies drawn from a model's JSON schema, and near misses.

hypothesis-jsonschema would do the schema part, but 0.23 calls Hypothesis internals that current
Hypothesis no longer has; pydantic's schemas use a small subset (no conditionals), covered here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

# Paths that exist in the test city, so that generated bodies often pass the unit-path rules too.
UNIT_PATHS = ("3205", "3205.320506", "3205.320506.320506001", "3205.320506.320506001.dept01", "3205.320507")
# Text the door must refuse or treat with care (design trap 9): NUL, lone surrogate, bidi, controls.
NASTY_TEXT = (
    "\x00",
    "\ud800",
    "\u202e",
    "\x1b",
    "\n",
    "\t",
    " ",
    "",
    "true",
    "10",
    "1e999",
    "NaN",
    "a" * 5000,
)
CLASS_REPEAT = re.compile(r"^\^\[([^\]]+)\][+*]\$$")  # ^[chars]+$ — the id and code patterns

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars | st.sampled_from(NASTY_TEXT),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def body_for(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Bodies shaped by ``model``'s JSON schema (most pass; bounds and cross-field rules may refuse)."""
    schema = model.model_json_schema()
    return SchemaStrategies(schema.get("$defs", {})).of(schema)


def near_miss(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """A schema-shaped body with one thing wrong, perhaps: a field dropped, added or replaced."""
    return body_for(model) | st.builds(
        mutate, body_for(model), st.sampled_from(["drop", "add", "replace", "nasty"]), st.randoms()
    )


def mutate(body: Any, how: str, rng: Any) -> Any:
    if not isinstance(body, dict):
        return body
    changed = dict(body)
    key = rng.choice(sorted(changed)) if changed else "unit"
    if how == "drop":
        changed.pop(key, None)
    elif how == "add":
        changed["unexpected_field"] = 1
    elif how == "replace":
        changed[key] = rng.choice([None, True, 1, -1, 1.5, "", "x", [], {}, [None], {"a": 1}])
    else:
        changed[key] = rng.choice(NASTY_TEXT)
    return changed


class SchemaStrategies:
    """Turns one JSON schema (with its ``$defs``) into a strategy; ``$ref`` cycles go through deferred."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.refs: dict[str, st.SearchStrategy[Any]] = {}

    def of(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "$ref" in schema:
            return self.ref(schema["$ref"].rsplit("/", 1)[-1])
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                return st.one_of([self.of(option) for option in schema[keyword]])
        if "allOf" in schema:
            return self.of(schema["allOf"][0])
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self.object(schema)
        if kind == "array":
            return self.array(schema)
        if kind == "string":
            return string(schema)
        if kind in ("integer", "number"):
            return number(schema, integer=kind == "integer")
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        return json_values

    def ref(self, name: str) -> st.SearchStrategy[Any]:
        if name not in self.refs:
            self.refs[name] = st.deferred(lambda: self.of(self.defs[name]))
        return self.refs[name]

    def array(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 3), low + 3)
        items = self.of(schema.get("items", {}))
        return st.lists(items, min_size=low, max_size=high)

    def object(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        properties: dict[str, Any] = schema.get("properties", {})
        if not properties and isinstance(schema.get("additionalProperties"), dict):
            keys = string(schema.get("propertyNames", {"type": "string", "maxLength": 20}))
            high = min(schema.get("maxProperties", 5), 5)  # room for a key per severity (four)
            return st.dictionaries(keys, self.of(schema["additionalProperties"]), max_size=high)
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {name: self.of(sub) for name, sub in properties.items() if name in required},
            optional={name: self.of(sub) for name, sub in properties.items() if name not in required},
        )


def string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 60)
    fmt = schema.get("format")
    if fmt == "date":
        return st.dates(date(1999, 1, 1), date.today() + timedelta(days=800)).map(date.isoformat)
    if fmt == "date-time":
        moments = st.datetimes(
            datetime(1999, 1, 1), datetime.now() + timedelta(days=30), timezones=st.just(UTC)
        )
        return moments.map(datetime.isoformat)
    if fmt == "time":
        return st.times().map(lambda moment: moment.isoformat())
    pattern = schema.get("pattern")
    if pattern is None:
        return st.sampled_from(UNIT_PATHS) | st.text(min_size=low, max_size=min(high, low + 40))
    if found := CLASS_REPEAT.match(pattern):
        alphabet = st.from_regex(f"[{found.group(1)}]", fullmatch=True)
        return st.text(alphabet, min_size=max(low, 1), max_size=min(high, max(low, 1) + 20))
    return st.from_regex(pattern, fullmatch=True).filter(lambda text: low <= len(text) <= high)


def number(schema: dict[str, Any], *, integer: bool) -> st.SearchStrategy[Any]:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if integer:
        return st.integers(
            None if low is None else int(low) - 1, None if high is None else int(high) + 1
        )  # one step past each bound: the edges are where validation goes wrong
    return st.floats(low, high, allow_nan=False, allow_infinity=False) | st.integers(-5, 5)

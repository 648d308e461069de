"""The AsyncAPI document's hand-written schemas: event headers and query parameters and answers.

Queries take and return plain JSON objects today: two are described in full, every other query gets
the generic parameters and reply (typed query models are to replace this module)."""

from __future__ import annotations

from typing import Any

from contracts.units import UNIT_PATH_SCHEMA

SCHEMAS = "#/components/schemas/"
EVENT_HEADERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Nats-Msg-Id": {
            "type": "string",
            "description": "The event id (the envelope's `id`, a UUIDv7). JetStream drops a republished "
            "event with the same id inside its duplicate window; consumers dedupe by it too.",
        },
        "Sanji-Type": {
            "type": "string",
            "description": "The envelope's `type`, for filtering without parsing.",
        },
    },
    "required": ["Nats-Msg-Id", "Sanji-Type"],
}
GENERIC_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "description": "The query's parameters: `path` names the unit asked about where the query has one; "
    "the others are the filters the gateway's matching read route documents (dates as 2026-03-02).",
    "properties": {"path": UNIT_PATH_SCHEMA},
    "additionalProperties": {"type": ["string", "integer", "boolean"]},
}
GENERIC_RESULT: dict[str, Any] = {
    "type": "object",
    "description": "The answer; it carries `freshness` where it comes from a projected view.",
}
DESCRIBED_QUERIES: dict[str, dict[str, Any]] = {
    "projection.units": {
        "summary": "The top-level units with their subtree totals.",
        "params": {"type": "object", "description": "No parameters: send `{}`."},
        "result": {
            "type": "object",
            "properties": {
                "units": {"type": "array", "items": {"$ref": SCHEMAS + "UnitSummary"}},
                "freshness": {"$ref": SCHEMAS + "Freshness"},
            },
            "required": ["units", "freshness"],
        },
    },
    "projection.unit": {
        "summary": "One unit: its own and subtree totals by activity kind, and its children.",
        "params": {
            "type": "object",
            "properties": {"path": UNIT_PATH_SCHEMA},
            "required": ["path"],
        },
        "result": {
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "parent": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "name": {"type": "string"},
                "kind": {"type": "string"},
                "level": {"type": "string", "enum": ["city", "county", "township"]},
                "retired_on": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                "successor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "own": {"$ref": SCHEMAS + "Totals"},
                "subtree": {"$ref": SCHEMAS + "Totals"},
                "children": {"type": "array", "items": {"$ref": SCHEMAS + "UnitSummary"}},
                "freshness": {"$ref": SCHEMAS + "Freshness"},
            },
            "required": ["path", "name", "kind", "level", "own", "subtree", "children", "freshness"],
        },
    },
}
COUNT_PROPERTIES: dict[str, Any] = {
    "activities": {"type": "integer", "description": "Activities logged."},
    "audience": {"type": "integer", "description": "人次: attendance counted per person per occasion."},
}
COUNTS: dict[str, Any] = {
    "type": "object",
    "properties": COUNT_PROPERTIES,
    "required": ["activities", "audience"],
}
QUERY_SCHEMAS: dict[str, dict[str, Any]] = {
    "Freshness": {
        "type": "object",
        "description": "How fresh a query answer is: the event stream sequence applied, and when.",
        "properties": {
            "checkpoint": {"type": "integer", "description": "Stream sequence of SANJI_EVENTS applied."},
            "updated_at": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
            "age_seconds": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        },
        "required": ["checkpoint", "updated_at", "age_seconds"],
    },
    "Counts": COUNTS,
    "Totals": {
        "type": "object",
        "properties": {
            **COUNT_PROPERTIES,
            "by_kind": {"type": "object", "additionalProperties": {"$ref": SCHEMAS + "Counts"}},
        },
        "required": ["activities", "audience", "by_kind"],
    },
    "UnitSummary": {
        "type": "object",
        "properties": {
            "path": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string"},
            "level": {"type": "string", "enum": ["city", "county", "township"]},
            "subtree": {"$ref": SCHEMAS + "Counts"},
        },
        "required": ["path", "name", "kind", "level", "subtree"],
    },
    "QueryReply": {
        "type": "object",
        "description": "Every query answer: ok with `result`, or not ok with `error`.",
        "properties": {
            "ok": {"type": "boolean"},
            "result": {"type": "object"},
            "error": {"$ref": SCHEMAS + "ErrorBody"},
        },
        "required": ["ok"],
    },
}


def query_payloads(name: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The summary, parameters and answer (``result``) of query ``name``: described, or generic."""
    described = DESCRIBED_QUERIES.get(name)
    if described is None:
        service = name.partition(".")[0]
        return f"A read of the {service} service.", GENERIC_PARAMETERS, GENERIC_RESULT
    return described["summary"], described["params"], described["result"]


def hand_written_schemas() -> dict[str, dict[str, Any]]:
    """The component schemas this module adds to those generated from the contract models."""
    return QUERY_SCHEMAS | {"EventHeaders": EVENT_HEADERS}

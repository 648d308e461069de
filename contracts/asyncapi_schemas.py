"""The AsyncAPI document's hand-written schemas: event headers and the envelope of every query reply
(each query's parameters and answer come from its contract in contracts/queries)."""

from __future__ import annotations

from typing import Any

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
QUERY_SCHEMAS: dict[str, dict[str, Any]] = {
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


def hand_written_schemas() -> dict[str, dict[str, Any]]:
    """The component schemas this module adds to those generated from the contract models."""
    return QUERY_SCHEMAS | {"EventHeaders": EVENT_HEADERS}

"""JSON Schema of Sanji's published contracts: one self-contained document for every event's data, for
the envelope, for every command and for the command request/reply. No I/O: contracts/export.py writes
them, contracts/asyncapi.py builds on the same descriptions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from contracts.commands import COMMANDS, Command, CommandReply, CommandRequest
from contracts.envelope import EventEnvelope, dataschema_for
from contracts.registry import REGISTRY, DomainEvent
from contracts.subjects import command_subject

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_ID = "urn:sanji:schema:envelope"
COMMAND_REQUEST_ID = "urn:sanji:schema:command-request"
COMMAND_REPLY_ID = "urn:sanji:schema:command-reply"


def standalone_schema(model: type[BaseModel], schema_id: str, title: str, description: str) -> dict[str, Any]:
    """One self-contained JSON Schema document (its own ``$defs``) for ``model``."""
    schema = model.model_json_schema()
    documented = schema.get("description")
    return {
        **schema,
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id,
        "title": title,
        "description": f"{description}\n\n{documented}" if documented else description,
    }


def event_description(model: type[DomainEvent]) -> str:
    return (
        f"Data of a {model.event_type} event, version {model.version}: the `data` member of an "
        f"EventEnvelope whose type is {model.event_type} and typeversion {model.version}."
    )


def command_description(model: type[Command]) -> str:
    roles = ", ".join(sorted(model.allowed_roles))
    return (
        f"Body of the {model.command_name} command: the `body` of a CommandRequest sent as a NATS "
        f"request to {command_subject(model.command_name)}. Roles allowed: {roles}."
    )


def command_schema_id(name: str) -> str:
    return f"urn:sanji:schema:command:{name}"


def event_schemas() -> dict[str, dict[str, Any]]:
    """``events/<type>.v<version>.schema.json`` → schema, for every registered event."""
    return {
        f"events/{m.event_type}.v{m.version}.schema.json": standalone_schema(
            m,
            dataschema_for(m.event_type, m.version),
            f"{m.__name__} ({m.event_type} v{m.version})",
            event_description(m),
        )
        for m in REGISTRY.models()
    }


def command_schemas() -> dict[str, dict[str, Any]]:
    """``commands/<name>.schema.json`` → schema, for every registered command."""
    return {
        f"commands/{name}.schema.json": standalone_schema(
            model, command_schema_id(name), f"{model.__name__} ({name})", command_description(model)
        )
        for name, model in COMMANDS.items()
    }


def wire_schemas() -> dict[str, dict[str, Any]]:
    """The envelope and the command request/reply shapes."""
    return {
        "envelope.schema.json": standalone_schema(
            EventEnvelope,
            ENVELOPE_ID,
            "EventEnvelope",
            "A Sanji event as published on sanji.ev.<context>.<type>.<city>.<county>.<township>: "
            "CloudEvents 1.0 attributes in structured mode, data inline, plus Sanji's extensions.",
        ),
        "command-request.schema.json": standalone_schema(
            CommandRequest,
            COMMAND_REQUEST_ID,
            "CommandRequest",
            "The payload of a NATS request on sanji.cmd.<context>.<name>; `body` follows that "
            "command's schema.",
        ),
        "command-reply.schema.json": standalone_schema(
            CommandReply,
            COMMAND_REPLY_ID,
            "CommandReply",
            "The reply to every command request: ok with the stream, its new version and the event "
            "ids, or not ok with an error (code, message, and the fields at fault).",
        ),
    }

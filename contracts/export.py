"""Writes Sanji's published contracts into a directory for other systems: a JSON Schema for every
event's data, for the envelope, for every command and its request/reply, and an AsyncAPI 3.0
document of the NATS subjects. Output is deterministic: the same contracts give the same bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from contracts.commands import COMMANDS, Command, CommandReply, CommandRequest
from contracts.envelope import EventEnvelope, dataschema_for
from contracts.registry import REGISTRY, DomainEvent
from contracts.subjects import command_subject
from contracts.units import parse_unit_path

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_ID = "urn:sanji:schema:envelope"
COMMAND_REQUEST_ID = "urn:sanji:schema:command-request"
COMMAND_REPLY_ID = "urn:sanji:schema:command-reply"

# The checks parse_unit_path makes, as far as a regular expression can say them (it cannot say
# that a county code starts with its city code, nor count levels): shown to other systems.
UNIT_PATH_PATTERN = (
    r"^[0-9]{2}(0[1-9]|[1-9][0-9])"
    r"(\.[0-9]{4}(0[1-9]|[1-9][0-9])(\.[0-9]{6}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2}))?)?"
    r"(\.[a-z][a-z0-9_]{0,31})*$"
)
UNIT_PATH_SCHEMA: dict[str, Any] = {
    "pattern": UNIT_PATH_PATTERN,
    "description": (
        "Unit path: division codes (统计用区划代码) from the city down, joined by dots: city 4 digits, "
        "county 6 and township 9 digits, each starting with its parent's code; then local codes "
        "(lowercase letter first, at most 32 characters). At most 8 levels."
    ),
    "examples": ["3205", "3205.320506", "3205.320506.320506001", "3205.320506.320506001.dept01"],
}


class ContractSchema(GenerateJsonSchema):
    """pydantic's generator, plus the unit-path format, which a validator function alone cannot show."""

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        json_schema = super().function_after_schema(schema)
        if schema["function"]["function"] is parse_unit_path:
            return {**json_schema, **UNIT_PATH_SCHEMA}
        return json_schema


def standalone_schema(model: type[BaseModel], schema_id: str, title: str, description: str) -> dict[str, Any]:
    """One self-contained JSON Schema document (its own ``$defs``) for ``model``."""
    schema = model.model_json_schema(schema_generator=ContractSchema)
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


def dump_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def dump_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=True, default_flow_style=False, width=100)


def export_all(directory: Path) -> list[Path]:
    """Write every contract file under ``directory`` (created if missing); return the paths written.

    Files for event versions or commands no longer registered are left in place: older schema
    versions stay useful to readers of older events."""
    from contracts.asyncapi import asyncapi_document  # it builds on this module's schema helpers

    texts = {name: dump_json(schema) for name, schema in wire_schemas().items()}
    texts |= {name: dump_json(schema) for name, schema in event_schemas().items()}
    texts |= {name: dump_json(schema) for name, schema in command_schemas().items()}
    texts["asyncapi.yaml"] = dump_yaml(asyncapi_document())
    written: list[Path] = []
    for name in sorted(texts):
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(texts[name].encode("utf-8"))
        written.append(path)
    return written

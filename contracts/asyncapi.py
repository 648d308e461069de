"""The AsyncAPI 3.0 document of Sanji's NATS subjects: events published by the services, commands,
ingest requests and queries they answer as request/reply. Schemas are inlined under components/schemas so the document
stands alone; they are the same pydantic models as the JSON Schema files beside it."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from contracts.asyncapi_schemas import SCHEMAS, hand_written_schemas
from contracts.commands import COMMANDS, CommandReply, CommandRequest, ErrorBody
from contracts.envelope import EventEnvelope
from contracts.ingest import INGEST
from contracts.queries import QUERIES, QueryContract
from contracts.registry import REGISTRY, DomainEvent
from contracts.schemas import command_description, event_description
from contracts.subjects import EVENTS_STREAM, command_subject, query_subject

PLACEHOLDER_SERVER = {
    "host": "nats.sanji.example:4222",
    "protocol": "nats",
    "title": "A Sanji site's NATS server",
    "description": "Placeholder: each site (the city hub or a county leaf node) has its own NATS URL.",
}
LEVEL_PARAMETERS: dict[str, dict[str, Any]] = {
    "city": {
        "description": "4-digit city division code of the event's unit, e.g. `3205`.",
        "examples": ["3205"],
    },
    "county": {
        "description": "6-digit county division code of the event's unit, or `_` for a unit at city level.",
        "examples": ["320506", "_"],
    },
    "township": {
        "description": "9-digit township division code of the event's unit, or `_` for a unit above "
        "township level.",
        "examples": ["320506001", "_"],
    },
}
SYSTEM_PARAMETER: dict[str, Any] = {
    "description": "The sending system's NATS user name. Its credentials may publish only subjects with "
    "its own name and its own subtree's unit tokens; it acts as `system:<name>` with the system role, "
    "within that subtree, whatever actor the request body claims.",
    "examples": ["monitor", "elearning"],
}
Refs = dict[type[BaseModel], str]


class AsyncApiSchema(GenerateJsonSchema):
    """pydantic's generator without the OpenAPI-style ``discriminator`` object on tagged unions: an
    AsyncAPI schema's ``discriminator`` is a property name of a base schema, which a union has not. The
    ``oneOf`` alone still says it all (each member fixes its tag with ``const``)."""

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        json_schema = super().tagged_union_schema(schema)
        json_schema.pop("discriminator", None)
        return json_schema


def component_schemas() -> tuple[dict[str, dict[str, Any]], Refs]:
    """Every model's schema keyed by component name, and each model's ``$ref``."""
    models: list[type[BaseModel]] = [EventEnvelope, CommandRequest, CommandReply, ErrorBody]
    models += REGISTRY.models()
    models += list(COMMANDS.values())
    inputs: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "validation") for m in models]
    params = [contract.params for contract in QUERIES.values()]
    answers = [contract.answer for contract in QUERIES.values()]
    inputs += [(m, "validation") for m in params] + [(m, "serialization") for m in answers]
    refs, top = models_json_schema(inputs, ref_template=SCHEMAS + "{model}", schema_generator=AsyncApiSchema)
    schemas: dict[str, dict[str, Any]] = dict(top.get("$defs", {}))
    extra = hand_written_schemas()
    clashing = schemas.keys() & extra.keys()
    if clashing:
        raise ValueError(f"contract model names clash with hand-written schemas: {sorted(clashing)}")
    found = {model: refs[(model, "validation")]["$ref"] for model in models + params}
    return schemas | extra, found | {model: refs[(model, "serialization")]["$ref"] for model in answers}


def event_message(model: type[DomainEvent], refs: Refs) -> dict[str, Any]:
    return {
        "name": model.event_type,
        "title": f"{model.__name__} v{model.version}",
        "summary": event_description(model),
        "description": "Events stored before a version change keep their `typeversion` and `data` shape; "
        "readers upcast them oldest to newest (see docs/contracts.md).",
        "contentType": "application/json",
        "headers": {"$ref": SCHEMAS + "EventHeaders"},
        "correlationId": {"location": "$message.payload#/correlationid"},
        "payload": {
            "allOf": [
                {"$ref": refs[EventEnvelope]},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": model.event_type},
                        "data": {"$ref": refs[model]},
                    },
                },
            ]
        },
    }


def event_parts(refs: Refs) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Channels, operations and messages of the events, one channel per event type."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for model in sorted(REGISTRY.models(), key=lambda m: m.event_type):
        kind = model.event_type
        context, _, name = kind.partition(".")
        channel_id = f"ev.{kind}"
        messages[channel_id] = event_message(model, refs)
        channels[channel_id] = {
            "address": f"sanji.ev.{context}.{name}.{{city}}.{{county}}.{{township}}",
            "title": f"{kind} events",
            "description": f"Published by the {context} service to the JetStream stream {EVENTS_STREAM}. "
            "The unit's levels sit in fixed tokens, so NATS permissions on "
            "`sanji.ev.*.*.<city>.<county>.>` confine a county to its subtree. No aggregate ids "
            "appear in subjects.",
            "parameters": {level: {"$ref": f"#/components/parameters/{level}"} for level in LEVEL_PARAMETERS},
            "messages": {kind: {"$ref": f"#/components/messages/{channel_id}"}},
        }
        operations[f"publish.{kind}"] = {
            "action": "send",
            "title": f"Publish {kind}",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{kind}"}],
            "tags": [{"name": context}],
        }
    return channels, operations, messages


def request_reply(
    channel_id: str, address: str, message_id: str, reply_channel: str, reply_message: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    channel = {"address": address, "messages": {"request": {"$ref": f"#/components/messages/{message_id}"}}}
    operation = {
        "action": "receive",
        "channel": {"$ref": f"#/channels/{channel_id}"},
        "messages": [{"$ref": f"#/channels/{channel_id}/messages/request"}],
        "reply": {
            "channel": {"$ref": f"#/channels/{reply_channel}"},
            "messages": [{"$ref": f"#/channels/{reply_channel}/messages/{reply_message}"}],
        },
    }
    return channel, operation


def command_parts(refs: Refs) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    channels: dict[str, Any] = {
        "commandReply": {
            "address": None,
            "title": "Command replies",
            "description": "The requester's own inbox: NATS request/reply delivers the reply there.",
            "messages": {"reply": {"$ref": "#/components/messages/CommandReply"}},
        }
    }
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {
        "CommandReply": {
            "name": "CommandReply",
            "title": "Command reply",
            "contentType": "application/json",
            "payload": {"$ref": refs[CommandReply]},
        }
    }
    for name in sorted(COMMANDS):
        model = COMMANDS[name]
        channel_id = f"cmd.{name}"
        channel, operation = request_reply(
            channel_id, command_subject(name), channel_id, "commandReply", "reply"
        )
        channels[channel_id] = {**channel, "title": f"{name} command"}
        operations[f"handle.{name}"] = {
            **operation,
            "title": f"Handle {name}",
            "summary": command_description(model),
            "description": "`commandid` is the actor's idempotency key: the same key with the same request "
            "returns the first reply and applies nothing again; the same key with another request is refused "
            "as `invalid` naming `commandid`. An invalid request gets `ok: false` with `error.code` `invalid` "
            "and the fields at fault.",
            "tags": [{"name": name.partition(".")[0]}],
        }
        messages[channel_id] = {
            "name": name,
            "title": f"{model.__name__} request",
            "summary": command_description(model),
            "contentType": "application/json",
            "correlationId": {"location": "$message.payload#/commandid"},
            "payload": {
                "allOf": [
                    {"$ref": refs[CommandRequest]},
                    {"type": "object", "properties": {"body": {"$ref": refs[model]}}},
                ]
            },
        }
    return channels, operations, messages


def ingest_parts(refs: Refs) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """One channel per ingest kind; the request is a command request whose actor is ignored."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    parameters = {name: {"$ref": f"#/components/parameters/{name}"} for name in ("system", *LEVEL_PARAMETERS)}
    for entry in sorted(INGEST, key=lambda entry: (entry.context, entry.kind)):
        context, kind, model = entry.context, entry.kind, entry.command
        channel_id = f"ingest.{context}.{kind}"
        address = f"sanji.ingest.{context}.{kind}.{{system}}.{{city}}.{{county}}.{{township}}"
        channel, operation = request_reply(channel_id, address, channel_id, "commandReply", "reply")
        channels[channel_id] = {**channel, "title": f"{context} {kind} ingest", "parameters": parameters}
        operations[f"ingest.{context}.{kind}"] = {
            **operation,
            "title": f"Ingest {context} {kind}",
            "summary": command_description(model),
            "description": f"Served by the {model.command_name} command: the same body, validation "
            "and reply. The sender is the subject's system, scoped to the subject's units; an `actor` "
            "in the request is ignored. The same `commandid` returns the first reply.",
            "tags": [{"name": context}],
        }
        messages[channel_id] = {
            "name": channel_id,
            "title": f"{model.__name__} ingest request",
            "contentType": "application/json",
            "correlationId": {"location": "$message.payload#/commandid"},
            "payload": {
                "allOf": [
                    {"$ref": refs[CommandRequest]},
                    {"type": "object", "properties": {"body": {"$ref": refs[model]}}},
                ]
            },
        }
    return channels, operations, messages


def query_contract(name: str) -> QueryContract:
    """The contract of query ``<service>.<name>`` (the projection answers every query)."""
    service, _, query = name.partition(".")
    if service != "projection" or query not in QUERIES:
        raise ValueError(f"query {name} has no contract in contracts/queries")
    return QUERIES[query]


def query_parts(names: Iterable[str], refs: Refs) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """One request/reply channel per query ``<service>.<name>``; every answer arrives on the inbox."""
    reply_messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for name in sorted(set(names)):
        service = name.partition(".")[0]
        contract = query_contract(name)
        summary, params, result = (
            contract.summary,
            {"$ref": refs[contract.params]},
            {"$ref": refs[contract.answer]},
        )
        channel_id, reply_id = f"qry.{name}", f"qry.{name}.reply"
        channel, operation = request_reply(channel_id, query_subject(name), channel_id, "queryReply", name)
        channels[channel_id] = {**channel, "title": f"{name} query"}
        operations[f"answer.{name}"] = {
            **operation,
            "title": f"Answer {name}",
            "summary": summary,
            "tags": [{"name": service}],
        }
        messages[channel_id] = {
            "name": name,
            "title": f"{name} query parameters",
            "contentType": "application/json",
            "payload": params,
        }
        messages[reply_id] = {
            "name": f"{name}.reply",
            "title": f"{name} answer",
            "summary": "ok with the result, or not ok with an error (code invalid, not_found, …).",
            "contentType": "application/json",
            "payload": {
                "allOf": [
                    {"$ref": SCHEMAS + "QueryReply"},
                    {"type": "object", "properties": {"result": result}},
                ]
            },
        }
        reply_messages[name] = {"$ref": f"#/components/messages/{reply_id}"}
    channels["queryReply"] = {
        "address": None,
        "title": "Query replies",
        "description": "The requester's own inbox: NATS request/reply delivers the reply there.",
        "messages": reply_messages,
    }
    return channels, operations, messages


def package_version() -> str:
    try:
        return version("sanji")
    except PackageNotFoundError:
        return "0.0.0"


def asyncapi_document(queries: Iterable[str]) -> dict[str, Any]:
    """The whole AsyncAPI 3.0 document as plain data (dump it as YAML or JSON); ``queries`` are the names
    the services answer on ``sanji.qry.<name>``."""
    schemas, refs = component_schemas()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for part_channels, part_operations, part_messages in (
        event_parts(refs),
        command_parts(refs),
        ingest_parts(refs),
        query_parts(queries, refs),
    ):
        channels |= part_channels
        operations |= part_operations
        messages |= part_messages
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Sanji (三级) contracts",
            "version": package_version(),
            "description": "Events, commands and queries of Sanji, the work-responsibility system of a "
            "city civil-affairs bureau and its county and township offices, over NATS. "
            "See docs/contracts.md.",
        },
        "defaultContentType": "application/json",
        "servers": {"site": PLACEHOLDER_SERVER},
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "parameters": {"system": SYSTEM_PARAMETER, **LEVEL_PARAMETERS},
        },
    }

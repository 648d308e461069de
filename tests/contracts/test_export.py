"""The published contracts: JSON Schemas and an AsyncAPI document, written deterministically."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.commands import COMMANDS
from contracts.envelope import dataschema_for
from contracts.export import export_all
from contracts.ingest import INGEST
from contracts.queries import QUERIES
from contracts.registry import REGISTRY
from contracts.units import UNIT_PATH_PATTERN, UNIT_PATH_SCHEMA, UnitPathError, parse_unit_path
from services.projection.app import queries
from services.registry import query_names

EXPECTED_IDS = {
    "envelope.schema.json": "urn:sanji:schema:envelope",
    "command-request.schema.json": "urn:sanji:schema:command-request",
    "command-reply.schema.json": "urn:sanji:schema:command-reply",
    **{
        f"events/{m.event_type}.v{m.version}.schema.json": dataschema_for(m.event_type, m.version)
        for m in REGISTRY.models()
    },
    **{f"commands/{name}.schema.json": f"urn:sanji:schema:command:{name}" for name in COMMANDS},
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    directory = tmp_path_factory.mktemp("contracts") / "out"  # not there yet: export creates it
    return directory, export_all(directory, query_names())


def load_json(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_bytes().decode("utf-8"))
    return document


def load_asyncapi(directory: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((directory / "asyncapi.yaml").read_text(encoding="utf-8"))
    return document


def refs_in(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs_in(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs_in(item)]
    return []


def resolve(document: dict[str, Any], ref: str) -> object:
    """The node a local ``$ref`` points at, following references met on the way."""
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: object = document
    for part in ref[2:].split("/"):
        while isinstance(node, dict) and "$ref" in node:
            node = resolve(document, node["$ref"])
        key = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref} does not resolve"
        assert key in node, f"{ref} does not resolve"
        node = node[key]
    return node


def test_every_schema_and_the_asyncapi_document_are_written(exported: tuple[Path, list[Path]]) -> None:
    directory, written = exported
    names = {path.relative_to(directory).as_posix() for path in written}
    assert names == set(EXPECTED_IDS) | {"asyncapi.yaml"}
    on_disk = {path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file()}
    assert on_disk == names
    assert len(written) == len(names)


def test_a_second_run_writes_identical_bytes(exported: tuple[Path, list[Path]], tmp_path: Path) -> None:
    directory, written = exported
    again = export_all(tmp_path, query_names())
    first = {path.relative_to(directory): path.read_bytes() for path in written}
    second = {path.relative_to(tmp_path): path.read_bytes() for path in again}
    assert first == second
    export_all(tmp_path, query_names())  # over existing files
    assert {path.relative_to(tmp_path): path.read_bytes() for path in again} == second


@pytest.mark.parametrize("name", sorted(EXPECTED_IDS))
def test_each_schema_is_self_contained_json_with_its_id(exported: tuple[Path, list[Path]], name: str) -> None:
    directory, _ = exported
    text = (directory / name).read_bytes().decode("utf-8")
    schema = json.loads(text)
    assert schema["$id"] == EXPECTED_IDS[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    assert schema["description"]
    assert schema["type"] == "object"
    assert text == json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    for ref in refs_in(schema):
        resolve(schema, ref)


def test_event_schemas_describe_their_type_and_strict_data(exported: tuple[Path, list[Path]]) -> None:
    directory, _ = exported
    for model in REGISTRY.models():
        schema = load_json(directory / f"events/{model.event_type}.v{model.version}.schema.json")
        assert model.event_type in schema["description"]
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) == {
            name for name, field in model.model_fields.items() if field.is_required()
        }


def test_chinese_text_is_written_as_utf8_not_escaped(exported: tuple[Path, list[Path]]) -> None:
    directory, _ = exported
    assert "人次" in (directory / "commands/outreach.log_activity.schema.json").read_bytes().decode("utf-8")
    assert "三级" in (directory / "asyncapi.yaml").read_bytes().decode("utf-8")


def test_unit_paths_carry_their_pattern(exported: tuple[Path, list[Path]]) -> None:
    directory, _ = exported
    envelope = load_json(directory / "envelope.schema.json")
    assert envelope["properties"]["unitpath"]["pattern"] == UNIT_PATH_PATTERN
    request = load_json(directory / "command-request.schema.json")
    assert request["$defs"]["Actor"]["properties"]["scope"]["pattern"] == UNIT_PATH_PATTERN


@pytest.mark.parametrize(
    "path",
    [
        "3205",
        "3205.320506",
        "3205.320506.320506001",
        "3205.320506.320506001.dept01.b_2",
        "3205.dept01",
        "320",
        "3200",
        "3205.320500",
        "3205.320506.320506000",
        "3205.dept01.320506",
        "3205.320506.320506001.320506001001",
        "3205..dept01",
        "3205.Dept01",
        "3205\n",
        "３２05",
    ],
)
def test_the_published_pattern_agrees_with_the_validator(path: str) -> None:
    """Except for what a pattern cannot say (codes under their parent's, depth), both agree."""
    try:
        parse_unit_path(path)
        valid = True
    except UnitPathError:
        valid = False
    assert (
        re.fullmatch(UNIT_PATH_PATTERN.removeprefix("^").removesuffix("$"), path, re.ASCII) is not None
    ) is valid


def test_asyncapi_document_is_self_contained(exported: tuple[Path, list[Path]]) -> None:
    document = load_asyncapi(exported[0])
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert {server["protocol"] for server in document["servers"].values()} == {"nats"}
    refs = refs_in(document)
    assert refs
    for ref in refs:
        resolve(document, ref)


def test_asyncapi_has_a_channel_per_event_type(exported: tuple[Path, list[Path]]) -> None:
    document = load_asyncapi(exported[0])
    channels = document["channels"]
    for model in REGISTRY.models():
        context, _, name = model.event_type.partition(".")
        channel = channels[f"ev.{model.event_type}"]
        assert channel["address"] == f"sanji.ev.{context}.{name}.{{city}}.{{county}}.{{township}}"
        assert set(channel["parameters"]) == {"city", "county", "township"}
        for parameter in channel["parameters"].values():
            assert resolve(document, parameter["$ref"])
        (message_ref,) = [message["$ref"] for message in channel["messages"].values()]
        message = resolve(document, message_ref)
        assert isinstance(message, dict)
        headers = resolve(document, message["headers"]["$ref"])
        assert isinstance(headers, dict)
        assert "event id" in headers["properties"]["Nats-Msg-Id"]["description"]
        envelope_ref, specific = message["payload"]["allOf"]
        assert envelope_ref == {"$ref": "#/components/schemas/EventEnvelope"}
        assert specific["properties"]["type"] == {"const": model.event_type}
        assert specific["properties"]["data"] == {"$ref": f"#/components/schemas/{model.__name__}"}
    levels = document["components"]["parameters"]
    assert "`_`" in levels["county"]["description"]
    assert "`_`" in levels["township"]["description"]


def test_asyncapi_commands_and_queries_are_request_reply(exported: tuple[Path, list[Path]]) -> None:
    document = load_asyncapi(exported[0])
    channels, operations = document["channels"], document["operations"]
    for name, model in COMMANDS.items():
        assert channels[f"cmd.{name}"]["address"] == f"sanji.cmd.{name}"
        operation = operations[f"handle.{name}"]
        assert operation["action"] == "receive"
        reply = operation["reply"]
        (reply_message,) = reply["messages"]
        payload = resolve(document, reply_message["$ref"] + "/payload")
        assert payload == {"$ref": "#/components/schemas/CommandReply"}
        (request_message,) = operation["messages"]
        request = resolve(document, request_message["$ref"] + "/payload")
        assert request == {
            "allOf": [
                {"$ref": "#/components/schemas/CommandRequest"},
                {
                    "type": "object",
                    "properties": {"body": {"$ref": f"#/components/schemas/{model.__name__}"}},
                },
            ]
        }
    assert len(query_names()) >= 25  # the projection's reads: none may drop out of the document
    for query in query_names():
        assert channels[f"qry.{query}"]["address"] == f"sanji.qry.{query}"
        operation = operations[f"answer.{query}"]
        assert operation["action"] == "receive"
        (reply_message,) = operation["reply"]["messages"]
        reply = resolve(document, reply_message["$ref"] + "/payload")
        assert isinstance(reply, dict)
        assert reply["allOf"][0] == {"$ref": "#/components/schemas/QueryReply"}
        (request_message,) = operation["messages"]
        assert resolve(document, request_message["$ref"] + "/payload")
        # Each query's parameters and answer are its contract's models (contracts/queries).
        contract = QUERIES[query.removeprefix("projection.")]
        params = resolve(document, request_message["$ref"] + "/payload")
        assert params == {"$ref": f"#/components/schemas/{contract.params.__name__}"}
        answer = reply["allOf"][1]["properties"]["result"]["$ref"]
        assert answer == f"#/components/schemas/{contract.answer.__name__}"
        answer_schema = resolve(document, answer)
        assert isinstance(answer_schema, dict)
        assert {"freshness", "stale"} <= set(answer_schema["properties"])
    unit = resolve(document, "#/components/schemas/UnitParams")
    assert isinstance(unit, dict)
    assert unit["required"] == ["path"]
    assert unit["properties"]["path"]["pattern"] == UNIT_PATH_SCHEMA["pattern"]
    assert set(unit["properties"]) == {"path", "after"}
    assert document["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]


def test_query_names_come_from_every_service_definition() -> None:
    assert set(query_names()) == {f"projection.{spec.name}" for spec in queries()}
    assert {spec.name for spec in queries()} == set(QUERIES)  # one handler per query contract


def test_asyncapi_lists_the_ingest_subjects_with_the_sender_in_the_subject(
    exported: tuple[Path, list[Path]],
) -> None:
    document = load_asyncapi(exported[0])
    for entry in INGEST:
        context, kind, model = entry.context, entry.kind, entry.command
        channel = document["channels"][f"ingest.{context}.{kind}"]
        assert (
            channel["address"] == f"sanji.ingest.{context}.{kind}.{{system}}.{{city}}.{{county}}.{{township}}"
        )
        assert set(channel["parameters"]) == {"system", "city", "county", "township"}
        operation = document["operations"][f"ingest.{context}.{kind}"]
        assert "ignored" in operation["description"]
        (request_message,) = operation["messages"]
        payload = resolve(document, request_message["$ref"] + "/payload")
        assert isinstance(payload, dict)
        assert payload["allOf"][1]["properties"]["body"] == {"$ref": f"#/components/schemas/{model.__name__}"}
    assert "system:<name>" in document["components"]["parameters"]["system"]["description"]

"""Writes Sanji's published contracts into a directory for other systems: the JSON Schema files of
contracts/schemas.py and the AsyncAPI 3.0 document of the NATS subjects. Output is deterministic: the
same contracts give the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from contracts.asyncapi import asyncapi_document
from contracts.schemas import command_schemas, event_schemas, wire_schemas


def dump_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class PlainDumper(yaml.SafeDumper):
    """Writes a schema used twice in full both times: YAML anchors and aliases trip up some readers."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(
        document, Dumper=PlainDumper, allow_unicode=True, sort_keys=True, default_flow_style=False, width=100
    )


def export_all(directory: Path, queries: Iterable[str]) -> list[Path]:
    """Write every contract file under ``directory`` (created if missing); return the paths written.

    ``queries`` are the names the services answer on ``sanji.qry.<name>`` (services.registry.query_names):
    contracts know no services. Files for event versions or commands no longer registered are left in
    place: older schema versions stay useful to readers of older events."""
    texts = {name: dump_json(schema) for name, schema in wire_schemas().items()}
    texts |= {name: dump_json(schema) for name, schema in event_schemas().items()}
    texts |= {name: dump_json(schema) for name, schema in command_schemas().items()}
    texts["asyncapi.yaml"] = dump_yaml(asyncapi_document(queries))
    written: list[Path] = []
    for name in sorted(texts):
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(texts[name].encode("utf-8"))
        written.append(path)
    return written

"""The official AsyncAPI parser (@asyncapi/parser, installed by `make test` from the committed lock file)
accepts the exported document with no error, and refuses the OpenAPI-style discriminator it once had."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic.json_schema import GenerateJsonSchema

from contracts import asyncapi
from contracts.export import dump_yaml, export_all
from services.registry import query_names

CHECKER = Path(__file__).parent / "asyncapi"
PARSER = CHECKER / "node_modules" / "@asyncapi" / "parser"


def parse(document: Path) -> tuple[int, list[dict[str, Any]]]:
    """Run the official parser on ``document``: its exit code and every diagnostic it printed."""
    node = shutil.which("node")
    if node is None or not PARSER.is_dir():
        pytest.skip(f"the AsyncAPI parser is not installed: npm ci --prefix {CHECKER}")
    command = [node, str(CHECKER / "check.mjs"), str(document)]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def errors(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d["severity"] == "error"]


def test_the_official_parser_accepts_the_exported_document(tmp_path: Path) -> None:
    export_all(tmp_path, query_names())
    code, diagnostics = parse(tmp_path / "asyncapi.yaml")
    assert errors(diagnostics) == []
    assert code == 0
    assert [d for d in diagnostics if d["severity"] == "warning"] == []


def test_the_parser_refuses_a_document_with_openapi_style_discriminators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without AsyncApiSchema, pydantic writes tagged unions as OpenAPI does, which AsyncAPI refuses."""
    monkeypatch.setattr(asyncapi, "AsyncApiSchema", GenerateJsonSchema)
    document = tmp_path / "asyncapi.yaml"
    document.write_text(dump_yaml(asyncapi.asyncapi_document(query_names())), encoding="utf-8")
    code, diagnostics = parse(document)
    assert code == 1
    assert any("discriminator" in d["message"] for d in errors(diagnostics))

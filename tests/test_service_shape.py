"""Every domain service has the same shape (domain, aggregates, handlers, tables, app), names its
schema once (``tables.SCHEMA``, the registry's), keeps its SQL in tables.py and loads aggregates only
through eventkit's ``load``/``load_many``: a statement or a fold loop written anywhere else fails here."""

from __future__ import annotations

import importlib
import io
import re
import tokenize
from pathlib import Path

import pytest

from services.registry import service

DOMAIN_SERVICES = ("duty", "outreach", "opinion", "assessment")
SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b", re.DOTALL)
STORE_READS = re.compile(r"\.read_streams?\(")


def sources(name: str) -> list[Path]:
    return sorted((SERVICES_DIR / name).rglob("*.py"))


def string_literals(path: Path) -> list[str]:
    """Each string literal, with implicitly concatenated pieces joined (a statement split over lines)."""
    literals: list[str] = []
    joining = False
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type == tokenize.STRING:
            if joining:
                literals[-1] += token.string
            else:
                literals.append(token.string)
            joining = True
        elif token.type not in {tokenize.NL, tokenize.COMMENT}:
            joining = False
    return literals


@pytest.mark.parametrize("name", DOMAIN_SERVICES)
def test_a_service_has_the_common_modules(name: str) -> None:
    for module in ("domain", "aggregates", "handlers", "tables", "app"):
        importlib.import_module(f"services.{name}.{module}")
    assert importlib.import_module(f"services.{name}.handlers").HANDLERS


@pytest.mark.parametrize("name", DOMAIN_SERVICES)
def test_the_schema_is_named_once_and_agrees_with_the_registry(name: str) -> None:
    tables = importlib.import_module(f"services.{name}.tables")
    assert service(name).schema == tables.SCHEMA
    runtime = importlib.import_module(f"services.{name}.app").create_app()
    assert runtime.definition.schema == tables.SCHEMA


@pytest.mark.parametrize("name", DOMAIN_SERVICES)
def test_sql_lives_only_in_tables(name: str) -> None:
    stray = {
        str(path.relative_to(SERVICES_DIR)): literal
        for path in sources(name)
        if path.name != "tables.py"
        for literal in string_literals(path)
        if SQL.search(literal)
    }
    assert stray == {}


@pytest.mark.parametrize("name", DOMAIN_SERVICES)
def test_aggregates_are_loaded_only_through_eventkit(name: str) -> None:
    folding = [str(p.relative_to(SERVICES_DIR)) for p in sources(name) if STORE_READS.search(p.read_text())]
    assert folding == []


def test_the_scan_finds_a_statement_and_a_fold_loop(tmp_path: Path) -> None:
    """The scans above would see what they forbid (so an empty answer means something)."""
    handler = tmp_path / "handler.py"
    handler.write_text(
        'async def f(ctx):\n    await ctx.conn.fetch(\n        f"SELECT path"  # split over lines\n'
        '        " FROM {S}.known_units WHERE path = $1", p)\n'
        "    for stored in await ctx.store.read_stream(s, conn=ctx.conn):\n        pass\n"
    )
    assert [literal for literal in string_literals(handler) if SQL.search(literal)]
    assert STORE_READS.search(handler.read_text())

"""The one list of services: it matches what each service really builds, and no copy of it is written
anywhere else (the seven copies that drifted are why `sanji verify opinion` once said "unknown")."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

import pytest

from services import registry
from services.eventkit.runtime import ServiceRuntime
from services.eventkit.settings import ServiceSettings

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("services", "contracts", "tests")
REGISTRY_FILE = ROOT / "services" / "registry.py"
NAMES = frozenset(registry.names())
ENUMERATION = 5  # a literal naming this many services copies the list; fewer is a test's own subset


def copies_of_the_list(source: str) -> list[tuple[int, list[str]]]:
    """(line, names) of each literal that spells out services: a dict keyed by them, or a long collection."""
    found = []
    for node in ast.walk(ast.parse(source)):
        items: Sequence[ast.expr | None]
        if isinstance(node, ast.Dict):
            items, threshold = node.keys, 2
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            items, threshold = node.elts, ENUMERATION
        else:
            continue
        named = [i.value for i in items if isinstance(i, ast.Constant) and i.value in NAMES]
        if len(set(named)) >= threshold:
            found.append((node.lineno, named))
    return found


def test_the_guard_spots_the_copies_that_drifted() -> None:
    assert copies_of_the_list('SCHEMAS = {"duty": "duty", "outreach": "outreach"}')
    assert copies_of_the_list('START_ORDER = ("projection", "duty", "outreach", "opinion", "assessment")')
    assert not copies_of_the_list('running(url, db, "duty", "outreach", "projection")')
    assert not copies_of_the_list('NEEDED = ("duty", "outreach", "assessment", "projection")')


def test_no_list_of_services_is_written_outside_the_registry() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {names}"
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != REGISTRY_FILE and path != Path(__file__).resolve()
        for line, names in copies_of_the_list(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use services.registry instead of a list of names:\n" + "\n".join(offenders)


@pytest.mark.parametrize("info", [i for i in registry.SERVICES if i.name != "gateway"], ids=lambda i: i.name)
def test_each_entry_matches_what_its_service_builds(info: registry.ServiceInfo) -> None:
    runtime = info.create_app(ServiceSettings(nats_url="nats://127.0.0.1:1", database_url="postgresql://x/y"))
    assert isinstance(runtime, ServiceRuntime)
    definition = runtime.definition
    assert definition.name == info.name
    assert definition.schema == info.schema
    consumers = [reaction.name for reaction in definition.reactions]
    consumers += [deciding.name for deciding in definition.deciding]  # reactions that append events
    assert tuple(consumers) == info.consumers
    assert bool(definition.commands) == info.event_store  # a service that takes commands keeps a store


def test_the_gateway_entry_builds_the_gateway() -> None:
    from services.gateway.app import GatewayRuntime

    info = registry.service("gateway")
    assert isinstance(info.create_app(ServiceSettings(nats_url="nats://127.0.0.1:1")), GatewayRuntime)
    assert (info.schema, info.event_store, info.consumers) == (None, False, ())


def test_an_unknown_name_is_refused_naming_the_valid_ones() -> None:
    with pytest.raises(registry.UnknownService, match="unknown service 'bogus'; choose one of: projection"):
        registry.service("bogus")
    with pytest.raises(registry.UnknownService, match=r"choose one of: duty, outreach, opinion, assessment$"):
        registry.store("projection")
    assert registry.owner_of_consumer("assessment-facts") == "assessment"

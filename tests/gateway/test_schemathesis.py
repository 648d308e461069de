"""Schemathesis against the running gateway's own OpenAPI document, with a city admin's token and a
township clerk's: no 5xx, no answer off the documented schema or status codes, and no read answered
outside the token's subtree. Bounded: a few examples per operation and token."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import APIOperation
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from contracts.queries import QUERIES
from contracts.units import is_within
from services.gateway.app import GatewayRuntime
from services.registry import names
from tests.gateway.support import CITY_TOKEN, TOKENS, register_units, running_gateway

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # about 3 minutes on 2 busy cores
log = logging.getLogger(__name__)
CLERK_TOKEN = "township-clerk-token"
CLERK_SCOPE = "3205.320506.320506001"
FUZZ_TOKENS = {CITY_TOKEN: "3205", CLERK_TOKEN: CLERK_SCOPE}
EXAMPLES = 6  # per operation and token: about 1,000 requests in all
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
RECORD_UNITS = {c.path: c.record_units for c in QUERIES.values() if c.path and c.record_units}


@pytest.fixture
async def gateway(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[GatewayRuntime]:
    tokens = {**TOKENS, CLERK_TOKEN: {"id": "clerk@320506001", "scope": CLERK_SCOPE, "roles": ["clerk"]}}
    services = tuple(name for name in names() if name != "gateway")  # every service the gateway asks
    async with running_gateway(nats_url, database_url, tmp_path, services, tokens) as runtime:
        yield runtime


def outside_scope(path: str, case: Any, body: Any, scope: str) -> list[str]:
    """The units a 200 answer shows that lie outside ``scope``: the asked unit, or a record's units."""
    unit = (case.path_parameters or {}).get("unitpath")
    if (
        unit is not None
        and not is_within(unit, scope)
        and not path.startswith("/api/v1/assessment/bulletins/")
    ):
        return [unit]  # (a bulletin published above may be read by the units it ranks)
    units = RECORD_UNITS.get(path)
    if units is not None and not any(u and is_within(str(u), scope) for u in units(body)):
        return [str(u) for u in units(body)]
    return []


def fuzz(document: dict[str, Any], base_url: str) -> list[str]:
    """Every operation of ``document`` with generated requests under each token; what went wrong."""
    failures: list[str] = []
    for result in schemathesis.openapi.from_dict(document).get_all_operations():
        if isinstance(result, Err):
            failures.append(f"not testable: {result.err()}")
            continue
        for token, scope in FUZZ_TOKENS.items():
            started = time.monotonic()
            failures += attack(result.ok(), token, scope, base_url)
            log.info("fuzzed %s as %s in %.1f s", result.ok().label, scope, time.monotonic() - started)
    return failures


def attack(operation: APIOperation[Any, Any, Any, Any], token: str, scope: str, base_url: str) -> list[str]:
    """Generated requests to one operation under one token: what went wrong."""
    headers = {"Authorization": f"Bearer {token}"}
    where = f"{operation.label} as {scope}"
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def attempt(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=20)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as error:  # collected: one run reports every operation
            failures.append(f"{where}: {str(error)[:300]}")
            return
        read = response.status_code == 200 and operation.method.upper() == "GET"
        if read and (found := outside_scope(operation.path, case, response.json(), scope)):
            failures.append(f"{where} answered outside its scope: {found}")

    attempt()
    return failures


async def test_the_gateway_keeps_its_documented_promises_under_generated_requests(
    http: httpx.AsyncClient, gateway: GatewayRuntime
) -> None:
    await register_units(http)
    document = (await http.get("/openapi.json")).json()
    base_url = f"http://127.0.0.1:{gateway.http_port}"
    failures = await asyncio.to_thread(fuzz, document, base_url)
    assert failures == [], "\n".join(failures[:40])

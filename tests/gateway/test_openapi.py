"""The gateway's OpenAPI document passes a standard validator, gives every command its typed body, every
API route its error schema and the bearer scheme, and the answers the gateway really gives match it."""

from __future__ import annotations

from typing import Any, get_args

import httpx
import pytest
from fastapi import APIRouter
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from contracts.commands import COMMANDS
from contracts.queries import QUERIES, QueryContract
from contracts.queries.base import UnitParams
from contracts.queries.units import UnitAnswer
from services.gateway import openapi, query_routes
from services.gateway.app import build_app
from services.gateway.errors import STATUS_BY_CODE, ApiErrorCode
from services.gateway.openapi import command_path
from services.gateway.query_routes import query_names
from tests.gateway.support import CITY_TOKEN, COUNTY_TOKEN, bearer, register_units

ERROR_SCHEMA = {"$ref": "#/components/schemas/ApiError"}


async def always_ready() -> dict[str, bool]:
    return {}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_app(always_ready).openapi()


def api_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if path.startswith("/api/")
    ]


def json_schema(response: dict[str, Any]) -> Any:
    return response["content"]["application/json"]["schema"]


def conforms(document: dict[str, Any], schema: dict[str, Any], body: object) -> list[str]:
    """What is wrong with ``body`` against ``schema``, its ``#/components`` references resolved."""
    validator = OAS31Validator({**schema, "components": document["components"]})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


def test_a_standard_validator_accepts_the_document(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_command_has_its_own_operation_with_its_typed_body(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name, model in COMMANDS.items():
        operation = document["paths"][command_path(name)]["post"]
        body = operation["requestBody"]
        assert body["required"] is True
        ref = json_schema(body)["$ref"]
        component = schemas[ref.removeprefix("#/components/schemas/")]
        assert component["title"] == model.__name__
        assert set(component["properties"]) == set(model.model_fields)
        assert component["additionalProperties"] is False
        assert json_schema(operation["responses"]["200"]) == {"$ref": "#/components/schemas/CommandReply"}
        assert {"409", "413"} <= set(operation["responses"])
    assert "/api/v1/commands/{context}/{name}" not in document["paths"]


def test_every_api_route_declares_its_errors_and_the_bearer_scheme(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operations = api_operations(document)
    assert len(operations) >= len(COMMANDS) + 30  # every command and the forty-odd reads
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation["security"] == [{"bearer": []}], where
        errors = {status: response for status, response in operation["responses"].items() if status >= "4"}
        assert {"401", "404", "422", "500", "503"} <= set(errors), where
        for status, response in errors.items():
            assert json_schema(response) == ERROR_SCHEMA, f"{where} {status}"
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_the_document_is_served_at_both_addresses(document: dict[str, Any]) -> None:
    transport = httpx.ASGITransport(app=build_app(always_ready))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        served = [(await client.get(path)) for path in ("/api/openapi.json", "/openapi.json")]
    assert [response.status_code for response in served] == [200, 200]
    assert served[0].json() == served[1].json() == document


async def test_the_answers_the_gateway_gives_match_the_document(
    http: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    """A body written to the documented schema is accepted; each kind of refusal is the documented one."""
    path = command_path("duty.register_unit")
    responses = document["paths"][path]["post"]["responses"]
    body = {"path": "3205", "name": "苏州市民政局", "kind": "bureau"}
    request_schema = json_schema(document["paths"][path]["post"]["requestBody"])
    assert conforms(document, request_schema, body) == []
    big = {"path": "3205", "name": "x" * 70_000, "kind": "bureau"}
    attempts = [
        (200, await http.post(path, json=body, headers=bearer(CITY_TOKEN))),
        (401, await http.post(path, json=body)),
        (403, await http.post(path, json=body, headers=bearer(COUNTY_TOKEN))),  # a clerk: admins only
        (404, await http.post(path, json=body | {"path": "3206"}, headers=bearer(CITY_TOKEN))),  # outside
        (413, await http.post(path, json=big, headers=bearer(CITY_TOKEN))),
        (422, await http.post(path, json=body | {"kind": 7}, headers=bearer(CITY_TOKEN))),
        (422, await http.post(path, content=b'{"path": NaN}', headers=bearer(CITY_TOKEN))),
    ]
    for status, response in attempts:
        assert response.status_code == status, response.text
        assert conforms(document, json_schema(responses[str(status)]), response.json()) == [], status
    unknown = await http.post("/api/v1/commands/duty/no_such_command", json={}, headers=bearer(CITY_TOKEN))
    assert unknown.status_code == 404
    assert conforms(document, ERROR_SCHEMA, unknown.json()) == []
    read = await http.get("/api/v1/duty/units/3205/posts?as_of=nope", headers=bearer(CITY_TOKEN))
    assert read.status_code == 422
    read_errors = document["paths"]["/api/v1/duty/units/{unitpath}/posts"]["get"]["responses"]
    assert conforms(document, json_schema(read_errors["422"]), read.json()) == []


def test_every_query_route_documents_its_parameters_and_its_answer(document: dict[str, Any]) -> None:
    """Each route generated from a query contract: its query-string parameters are the params model's
    (``after`` included), its 200 answer is the answer model, with ``freshness`` and ``stale``."""
    routed = [contract for contract in QUERIES.values() if contract.path]
    assert len(routed) >= 20
    schemas = document["components"]["schemas"]
    for contract in routed:
        assert contract.path is not None
        operation = document["paths"][contract.path]["get"]
        ok = json_schema(operation["responses"]["200"])
        assert ok == {"$ref": f"#/components/schemas/{contract.answer.__name__}"}, contract.name
        assert {"freshness", "stale"} <= set(schemas[contract.answer.__name__]["properties"])
        in_query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert in_query == set(query_names(contract)), contract.name
        assert "after" in in_query
    for path in ("/api/v1/units", "/api/v1/opinion/plans"):  # the two reads written by hand
        assert json_schema(document["paths"][path]["get"]["responses"]["200"])["$ref"].endswith("Answer")


def test_a_query_route_without_a_rule_for_whose_it_is_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A contract with a path but no unit parameter, record units or ``unscoped`` would be readable by
    any token whatever its subtree: building the routes refuses it."""
    loose = QueryContract("test.loose", UnitParams, UnitAnswer, path="/api/v1/test/{path}")
    monkeypatch.setitem(QUERIES, "test.loose", loose)
    with pytest.raises(ValueError, match=r"test\.loose"):
        query_routes.add_query_routes(APIRouter())


async def test_a_read_answer_matches_its_documented_schema(
    http: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    await register_units(http)
    for path, template in [
        ("/api/v1/units/3205", "/api/v1/units/{unitpath}"),
        ("/api/v1/outreach/units/3205/summary?period=2026", "/api/v1/outreach/units/{unitpath}/summary"),
        ("/api/v1/duty/units/3205/posts", "/api/v1/duty/units/{unitpath}/posts"),
    ]:
        read = await http.get(path, headers=bearer(CITY_TOKEN))
        assert read.status_code == 200, read.text
        assert read.json()["stale"] is False
        ok = json_schema(document["paths"][template]["get"]["responses"]["200"])
        assert conforms(document, ok, read.json()) == [], path


def test_two_different_schemas_under_one_name_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command model named like a model FastAPI documents would silently replace one of the two."""
    monkeypatch.setattr(openapi, "command_schemas", lambda: {"ApiError": {"type": "string"}})
    with pytest.raises(ValueError, match="ApiError"):
        build_app(always_ready).openapi()


def test_the_documented_error_codes_are_those_the_gateway_maps_to_statuses() -> None:
    assert set(get_args(ApiErrorCode)) == set(STATUS_BY_CODE)

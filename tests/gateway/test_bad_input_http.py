"""Over HTTP: the inputs that break later are a 4xx naming the field, on a connection that stays open;
query parameters are bounded; Idempotency-Key belongs to the token's principal."""

from __future__ import annotations

import logging

import asyncpg
import httpx
import pytest

from services.gateway.app import GatewayRuntime
from tests.e2e.attacks import ATTACKS, GOOD_ACTIVITY
from tests.gateway.support import CITY_TOKEN, COUNTY_TOKEN, bearer, register_units

LOG = "/api/v1/commands/outreach/log_activity"
JSON = {"Content-Type": "application/json"}


async def events(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        found: int = await conn.fetchval("SELECT count(*) FROM outreach.events")
        return found
    finally:
        await conn.close()


async def test_inputs_that_break_later_are_a_4xx_naming_the_field(
    http: httpx.AsyncClient, database_url: str
) -> None:
    await register_units(http)
    before = await events(database_url)
    for attack in ATTACKS:
        response = await http.post(
            LOG, content=attack.body_text(GOOD_ACTIVITY).encode(), headers={**bearer(CITY_TOKEN), **JSON}
        )
        assert response.status_code == 422, (attack.name, response.text)
        assert response.headers.get("connection") != "close", attack.name
        named = response.json()["error"]["fields"][0]
        assert named["field"].startswith(f"body.{attack.field}" if attack.field else "body"), attack.name
        assert attack.reason in named["reason"], (attack.name, named)
        assert "Traceback" not in response.text
    assert await events(database_url) == before


async def test_query_parameters_are_bounded(http: httpx.AsyncClient, gateway: GatewayRuntime) -> None:
    await register_units(http)
    sanji = gateway.app.state.sanji  # the projection bounds them too, for whoever queries over NATS
    for name in ("projection.opinion.cases", "projection.outreach.activities"):
        answer = await sanji.query(name, {"path": "3205", "offset": "9" * 30})
        assert answer["error"]["code"] == "invalid", (name, answer)
        assert "offset" in answer["error"]["message"]
    listing = "/api/v1/outreach/units/3205/activities"
    for params, field, reason in [
        ({"offset": "99999999999999999999"}, "query.offset", "whole number from 0"),
        ({"offset": "-1"}, "query.offset", "whole number from 0"),
        ({"limit": "true"}, "query.limit", "whole number from 1"),
        ({"period": "0001"}, "query.period", "before 2000-01-01"),
        ({"kind": "seminar\x00"}, "query.kind", "NUL"),
    ]:
        response = await http.get(listing, params=params, headers=bearer(CITY_TOKEN))
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["fields"][0]["field"] == field
        assert reason in response.json()["error"]["fields"][0]["reason"]
    cases = "/api/v1/opinion/units/3205/cases"  # refused at the door: no opinion service needed
    for params, field in [({"offset": "9" * 30}, "query.offset"), ({"from": "0001-01-01"}, "query.from")]:
        response = await http.get(cases, params=params, headers=bearer(CITY_TOKEN))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["fields"][0]["field"] == field
    fine = await http.get(listing, params={"offset": "0", "limit": "10"}, headers=bearer(CITY_TOKEN))
    assert fine.status_code == 200, fine.text


async def test_idempotency_key_belongs_to_the_tokens_principal(
    http: httpx.AsyncClient, database_url: str
) -> None:
    await register_units(http)
    key = {"Idempotency-Key": "shared-http-key-1"}
    city = GOOD_ACTIVITY | {"activity_id": "act-http-city-1"}
    county = GOOD_ACTIVITY | {"activity_id": "act-http-county-1", "unit": "3205.320506"}
    before = await events(database_url)
    first = await http.post(LOG, json=city, headers={**bearer(CITY_TOKEN), **key})
    other = await http.post(LOG, json=county, headers={**bearer(COUNTY_TOKEN), **key})
    assert (first.status_code, other.status_code) == (200, 200), (first.text, other.text)
    assert first.json()["stream"] != other.json()["stream"]
    assert await events(database_url) == before + 2

    reused = await http.post(LOG, json=city | {"audience": 99}, headers={**bearer(CITY_TOKEN), **key})
    assert reused.status_code == 422
    named = reused.json()["error"]["fields"][0]
    assert named["field"] == "headers.Idempotency-Key"
    assert "different request" in named["reason"]

    again = await http.post(LOG, json=city, headers={**bearer(CITY_TOKEN), **key})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await events(database_url) == before + 2


async def test_path_parameters_are_readable_text(http: httpx.AsyncClient, gateway: GatewayRuntime) -> None:
    """A NUL in a path parameter used to reach PostgreSQL and come back as a 500."""
    await register_units(http)
    for path, field in [
        ("/api/v1/outreach/activities/%00abc", "activity_id"),
        ("/api/v1/opinion/cases/ab%00cd", "case_id"),
        ("/api/v1/outreach/activities/a%E2%80%AEb", "activity_id"),
        ("/api/v1/outreach/activities/" + "a" * 400, "activity_id"),
    ]:
        response = await http.get(path, headers=bearer(CITY_TOKEN))
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["fields"][0]["field"] == field
    answer = await gateway.app.state.sanji.query("projection.outreach.activity", {"activity_id": "a\x00b"})
    assert answer["error"]["code"] == "invalid", answer
    assert "activity_id: contains a NUL" in answer["error"]["message"]


async def test_upload_names_and_non_utf8_bodies_are_refused_by_name(http: httpx.AsyncClient) -> None:
    await register_units(http)
    evidence = await http.post(
        "/api/v1/outreach/evidence",
        params={"filename": "a\x00b.jpg"},
        content=b"x",
        headers=bearer(CITY_TOKEN),
    )
    assert evidence.status_code == 422, evidence.text
    assert evidence.json()["error"]["fields"][0]["field"] == "query.filename"
    garbled = await http.post(LOG, content=b"\xff\xfe{}", headers={**bearer(CITY_TOKEN), **JSON})
    assert garbled.status_code == 422
    assert garbled.json()["error"]["fields"][0] == {"field": "body", "reason": "not UTF-8 (byte 0)"}


async def test_a_request_refused_at_the_door_is_logged_for_operators(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # No service sees it, so no rejections table records it: the gateway's log does, with field and why.
    with caplog.at_level(logging.WARNING, logger="services.gateway.handlers"):
        response = await http.get(
            "/api/v1/outreach/units/3205/activities",
            params={"offset": "99999999999999999999"},
            headers=bearer(CITY_TOKEN),
        )
    assert response.status_code == 422
    refused = [r for r in caplog.records if r.getMessage() == "request refused"]
    assert refused, "the refusal was not logged"
    assert refused[0].fields[0]["field"] == "query.offset"  # type: ignore[attr-defined]
    assert refused[0].route == "/api/v1/outreach/units/{unitpath}/activities"  # type: ignore[attr-defined]

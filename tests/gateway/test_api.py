"""The JSON API against a real stack: auth, commands forwarded over NATS, reads over the projection."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from contracts.queries import QUERIES
from contracts.queries.base import QueryContract
from services.eventkit import queries
from tests.gateway.support import (
    CITY_TOKEN,
    COUNTY_TOKEN,
    activity,
    bearer,
    equals,
    first_activity,
    log_activity,
    register_units,
    subtree_activities,
)
from tests.helpers import wait_until


async def test_requests_without_a_valid_token_get_401(http: httpx.AsyncClient) -> None:
    for headers in ({}, bearer("not-a-known-token"), {"Authorization": "Basic abc"}):
        response = await http.get("/api/v1/units", headers=headers)
        assert response.status_code == 401
        assert response.json()["ok"] is False
        assert response.json()["error"]["code"] == "unauthorized"
    response = await http.post("/api/v1/commands/outreach/log_activity", json=activity("act-0001", "3205", 1))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_commands_over_http_roll_up_in_the_read_api(http: httpx.AsyncClient) -> None:
    await register_units(http)
    await first_activity(http, activity("act-0001", "3205.320506.320506001", 120))
    assert (await log_activity(http, activity("act-0002", "3205.320506", 30, "training"))).status_code == 200
    third = await log_activity(http, activity("act-0003", "3205", 5))
    again = await log_activity(http, activity("act-0003", "3205", 5))  # same Idempotency-Key
    assert third.status_code == again.status_code == 200
    assert third.json()["ok"] is True
    assert again.json()["events"] == third.json()["events"]

    await wait_until(
        lambda: equals(subtree_activities(http, "3205"), 3), message="projection never caught up"
    )
    city = (await http.get("/api/v1/units/3205", headers=bearer(CITY_TOKEN))).json()
    assert city["own"] == {
        "activities": 1,
        "audience": 5,
        "by_kind": {"outreach_talk": {"activities": 1, "audience": 5}},
    }
    assert city["subtree"]["activities"] == 3
    assert city["subtree"]["audience"] == 155
    assert city["subtree"]["by_kind"]["training"] == {"activities": 1, "audience": 30}
    children = {child["path"]: child["subtree"] for child in city["children"]}
    assert children == {
        "3205.320506": {"activities": 2, "audience": 150},
        "3205.320507": {"activities": 0, "audience": 0},
    }
    assert city["freshness"]["checkpoint"] >= 7

    top = (await http.get("/api/v1/units", headers=bearer(CITY_TOKEN))).json()
    assert [unit["path"] for unit in top["units"]] == ["3205"]
    assert top["units"][0]["subtree"] == {"activities": 3, "audience": 155}
    assert top["freshness"]["checkpoint"] >= 7

    county_top = (await http.get("/api/v1/units", headers=bearer(COUNTY_TOKEN))).json()
    assert county_top["units"] == [
        {
            "path": "3205.320506",
            "name": "吴中区民政局",
            "kind": "county_office",
            "level": "county",
            "subtree": {"activities": 2, "audience": 150},
        }
    ]
    assert "checkpoint" in county_top["freshness"]


async def test_invalid_bodies_are_refused_naming_the_field_and_store_nothing(
    http: httpx.AsyncClient, database_url: str
) -> None:
    await register_units(http)
    await first_activity(http, activity("act-0001", "3205.320506", 10))
    post = "/api/v1/commands/outreach/log_activity"
    cases = [
        ({**activity("act-0002", "3205", 1), "colour": "red"}, "body.colour"),
        ({**activity("act-0003", "3205", 1), "audience": "many"}, "body.audience"),
        ({**activity("act-0004", "3205", 1), "topic": "长" * 201}, "body.topic"),
        ({**activity("act-0005", "3205", 1), "kind": "party"}, "body.kind"),
    ]
    for body, field in cases:
        response = await http.post(post, json=body, headers=bearer(CITY_TOKEN))
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert response.json()["ok"] is False
        assert error["code"] == "invalid"
        assert field in [f["field"] for f in error["fields"]]

    oversize = await http.post(
        post,
        content=b'{"topic": "' + b"x" * (64 * 1024) + b'"}',
        headers={**bearer(CITY_TOKEN), "Content-Type": "application/json"},
    )
    assert oversize.status_code == 413
    assert oversize.json()["error"]["fields"][0]["field"] == "body"
    for raw in (b"{not json", b"[1, 2]", "\u00ff".encode("latin-1")):
        response = await http.post(post, content=raw, headers=bearer(CITY_TOKEN))
        assert response.status_code == 422
        assert response.json()["error"]["fields"][0]["field"] == "body"
    unknown = await http.post("/api/v1/commands/outreach/no_such_thing", json={}, headers=bearer(CITY_TOKEN))
    assert unknown.status_code == 404
    wildcard = await http.post("/api/v1/commands/outreach/%3E", json={}, headers=bearer(CITY_TOKEN))
    assert wildcard.status_code == 404
    bad_key = await http.post(
        post, json=activity("act-0006", "3205", 1), headers={**bearer(CITY_TOKEN), "Idempotency-Key": "short"}
    )
    assert bad_key.status_code == 422
    assert bad_key.json()["error"]["fields"][0]["field"] == "headers.Idempotency-Key"

    # Outreach recorded the refusals it saw, and stored nothing: one more valid activity makes exactly two.
    conn = await asyncpg.connect(database_url)
    try:
        refused = await conn.fetch("SELECT fields FROM outreach.rejections WHERE code = 'invalid'")
    finally:
        await conn.close()
    assert len(refused) == len(cases)
    assert (await log_activity(http, activity("act-0007", "3205", 2))).status_code == 200
    await wait_until(
        lambda: equals(subtree_activities(http, "3205"), 2), message="projection never caught up"
    )
    assert await subtree_activities(http, "3205") == 2


async def test_scope_and_paths_are_enforced(http: httpx.AsyncClient) -> None:
    await register_units(http)
    await wait_until(
        lambda: equals(subtree_activities(http, "3205.320507"), 0), message="units never projected"
    )
    for path in ("3205", "3205.320507", "3205.320507.320507001"):  # outside: read as missing
        response = await http.get(f"/api/v1/units/{path}", headers=bearer(COUNTY_TOKEN))
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert (await http.get("/api/v1/units/3205.320506", headers=bearer(COUNTY_TOKEN))).status_code == 200
    outside = await log_activity(http, activity("act-0009", "3205.320507", 3), token=COUNTY_TOKEN)
    assert outside.status_code == 404
    not_admin = await http.post(
        "/api/v1/commands/duty/register_unit",
        json={"path": "3205.320506.320506009", "name": "新街道", "kind": "township_office"},
        headers=bearer(COUNTY_TOKEN),
    )
    assert not_admin.status_code == 403

    invalid = await http.get("/api/v1/units/3205..x", headers=bearer(CITY_TOKEN))
    assert invalid.status_code == 422
    assert invalid.json()["error"]["fields"][0]["field"] == "unitpath"
    unknown = await http.get("/api/v1/units/3205.320599", headers=bearer(CITY_TOKEN))
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error": unknown.json()["error"]}
    assert unknown.json()["error"]["code"] == "not_found"


async def test_metrics_and_health(http: httpx.AsyncClient) -> None:
    await http.get("/api/v1/units/3205", headers=bearer(CITY_TOKEN))
    await http.get("/no/such/page")
    assert (await http.get("/readyz")).json() == {"ready": True, "checks": {"database": True, "nats": True}}
    assert (await http.get("/healthz")).status_code == 200
    text = (await http.get("/metrics")).text
    assert 'route="/api/v1/units/{unitpath}"' in text
    assert 'route="unmatched"' in text
    assert "sanji_http_request_seconds_bucket" in text
    assert 'route="/api/v1/units/3205"' not in text


SAMPLE_PARAMS = {"period": "2026", "section": "meetings"}  # a value for each parameter some read requires


def required_params(contract: QueryContract) -> dict[str, str]:
    """A value for every parameter the route requires besides the unit (a new one must be added above)."""
    required = [
        name
        for name, field in contract.params.model_fields.items()
        if field.is_required() and name != contract.unit_param
    ]
    missing = [name for name in required if name not in SAMPLE_PARAMS]
    assert not missing, f"{contract.name}: give SAMPLE_PARAMS a value for {missing}"
    return {name: SAMPLE_PARAMS[name] for name in required}


async def test_every_read_route_passes_after_on_and_says_when_it_is_stale(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A position no view will ever apply (an origin nobody writes from): every read waits for it (here
    cut to 0.2 s), then answers from what it has with ``stale: true``; without ``after`` it is not stale.
    A position that is no position is a 422 naming ``query.after``."""
    await register_units(http)
    monkeypatch.setattr(queries, "AFTER_TIMEOUT", 0.2)  # the projection runs in this process
    never = {"after": "3205/nowhere:1:1"}
    routed = [
        (c.path.replace("{unitpath}", "3205"), required_params(c))
        for c in QUERIES.values()
        if c.path and c.unit_param
    ]
    reads = [*routed, ("/api/v1/units", {}), ("/api/v1/opinion/plans", {})]
    answered = 0
    for path, params in reads:
        fresh = await http.get(path, params=params, headers=bearer(CITY_TOKEN))
        if fresh.status_code == 404:  # nothing scored or published yet: no answer to be stale
            continue
        assert fresh.status_code == 200, (path, fresh.text)
        assert fresh.json()["stale"] is False, path
        waited = await http.get(path, params={**params, **never}, headers=bearer(CITY_TOKEN))
        assert waited.status_code == 200, (path, waited.text)
        assert waited.json()["stale"] is True, path
        answered += 1
    assert answered >= 16
    bad = await http.get("/api/v1/units/3205", params={"after": "yesterday"}, headers=bearer(CITY_TOKEN))
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "query.after"

"""Duty over HTTP: commands through the generic command route, the duty reads cut to the actor's
subtree, and the duty page in Chinese and English."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.duty.support import CHANGQIAO, UNITS, WUZHONG, XIANGCHENG
from tests.helpers import wait_until
from tests.stack import running

CITY_TOKEN, XIANGCHENG_TOKEN = "city-token-0123456789abcdef", "xc-token-0123456789abcdef01"
TOKENS = {
    CITY_TOKEN: {"id": "admin@3205", "scope": "3205", "roles": ["admin", "clerk", "leader"]},
    XIANGCHENG_TOKEN: {"id": "clerk@320507", "scope": XIANGCHENG, "roles": ["clerk"]},
}


@pytest.fixture
async def http(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(TOKENS), encoding="utf-8")
    async with running(nats_url, database_url, "duty", "projection"):
        settings = GatewaySettings(
            nats_url=nats_url, database_url=database_url, http_port=0, tokens_file=tokens_file
        )
        gateway = create_app(settings)
        await gateway.start()
        try:
            base = f"http://127.0.0.1:{gateway.http_port}"
            async with httpx.AsyncClient(base_url=base, timeout=20) as client:
                yield client
        finally:
            await gateway.stop()


def bearer(token: str = CITY_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def command(http: httpx.AsyncClient, name: str, body: dict[str, Any]) -> httpx.Response:
    return await http.post(f"/api/v1/commands/duty/{name}", json=body, headers=bearer())


async def test_duty_reads_and_page_through_the_gateway(http: httpx.AsyncClient) -> None:
    for path, name, kind in UNITS:
        assert (await command(http, "register_unit", {"path": path, "name": name, "kind": kind})).is_success
    secretary = {"post_id": "wz-sec", "unit": WUZHONG, "kind": "first_responsible", "title": "党组书记、局长"}
    assert (await command(http, "create_post", secretary)).is_success
    post = {"post_id": "cq-io", "unit": CHANGQIAO, "kind": "information_officer", "title": "信息宣传员"}
    assert (await command(http, "create_post", post)).is_success
    fill = {
        "post_id": "cq-io",
        "unit": CHANGQIAO,
        "staff_no": "C001",
        "person_name": "陈晨",
        "effective_on": "2025-01-02",
    }
    assert (await command(http, "fill_post", fill)).is_success
    outlet = {
        "outlet_id": "cq-wx",
        "unit": CHANGQIAO,
        "kind": "wechat_account",
        "name": "长桥民政",
        "owner_post_id": "cq-io",
        "effective_on": "2025-02-01",
    }
    assert (await command(http, "register_outlet", outlet)).is_success
    vacate = {"post_id": "cq-io", "unit": CHANGQIAO, "reason": "调任"}
    refused = await command(http, "vacate_post", {**vacate, "effective_on": "2025-01-01"})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == [
        {
            "field": "effective_on",
            "reason": refused.json()["error"]["message"],
            "code": "effective_before_last",  # so that a page can say it in its own language
            "params": {"last": "2025-01-02"},
        }
    ]
    assert (await command(http, "vacate_post", {**vacate, "effective_on": "2025-07-01"})).is_success

    async def gaps() -> list[Any]:
        response = await http.get(f"/api/v1/duty/units/{WUZHONG}/gaps", headers=bearer())
        return response.json().get("gaps", []) if response.is_success else []

    await wait_until(lambda: _nonempty(gaps), message="the gap never showed")
    unit = (await http.get(f"/api/v1/duty/units/{WUZHONG}", headers=bearer())).json()
    assert unit["subtree"]["coverage_gaps"] == 1
    (changqiao,) = [child for child in unit["children"] if child["path"] == CHANGQIAO]
    assert changqiao["subtree"]["posts"] == {"filled": 0, "vacant": 1}

    response = await http.get(
        f"/api/v1/duty/units/{WUZHONG}/outlets", params={"as_of": "2025-06-30"}, headers=bearer()
    )
    (found,) = response.json()["outlets"]
    assert found["owner"]["holder"]["person_name"] == "陈晨"
    bad = await http.get(
        f"/api/v1/duty/units/{WUZHONG}/tree", params={"as_of": "30/06/2025"}, headers=bearer()
    )
    assert bad.status_code == 422
    outside = await http.get(f"/api/v1/duty/units/{WUZHONG}/gaps", headers=bearer(XIANGCHENG_TOKEN))
    assert outside.status_code == 404

    http.cookies.set("sanji_token", CITY_TOKEN)
    page = await http.get(f"/duty/units/{WUZHONG}")
    assert page.status_code == 200
    assert "四级责任清单" in page.text
    assert "长桥民政" in page.text  # listed among the outlets without an owner in post
    township = await http.get(f"/duty/units/{CHANGQIAO}", params={"as_of": "2025-06-30"})
    assert "陈晨" in township.text  # who answered for the township's outlet before the departure
    english = await http.get(f"/duty/units/{WUZHONG}", params={"lang": "en"})
    assert "Four-level responsibility list" in english.text
    assert "Outlets without an owner in post" in english.text


async def _nonempty(gaps: Any) -> bool:
    return bool(await gaps())

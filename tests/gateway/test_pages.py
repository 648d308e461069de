"""The web pages against a real stack: login with a cookie, unit pages in Chinese and English, and the
log-activity form with its errors shown next to the fields."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from contracts.envelope import utc_now
from services.eventkit.localtime import local_date
from tests.gateway.support import (
    CITY_TOKEN,
    COUNTY_TOKEN,
    activity,
    equals,
    first_activity,
    register_units,
    subtree_activities,
)
from tests.helpers import wait_until


def subtree_count(page: str) -> int:
    """The activities the unit page shows for the unit and the units below it (含下级)."""
    found = re.search(r"<h2>含下级</h2>\s*<p><strong>(\d+)</strong>", page)
    assert found is not None, "the page shows no subtree total"
    return int(found[1])


async def login(http: httpx.AsyncClient, token: str, next_url: str = "/") -> httpx.Response:
    return await http.post("/login", data={"token": token, "next": next_url})


async def test_pages_redirect_to_login_and_login_sets_an_httponly_cookie(http: httpx.AsyncClient) -> None:
    response = await http.get("/units/3205")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/units/3205"
    form = await http.get("/login", params={"next": "/units/3205"})
    assert form.status_code == 200
    assert "访问令牌" in form.text
    assert 'value="/units/3205"' in form.text

    refused = await login(http, "wrong-token-123")
    assert refused.status_code == 401
    assert "令牌无效" in refused.text
    assert "sanji_token" not in http.cookies

    accepted = await login(http, CITY_TOKEN, "/units/3205")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/units/3205"
    cookie = accepted.headers["set-cookie"]
    assert cookie.startswith(f"sanji_token={CITY_TOKEN};")
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    offsite = await login(http, CITY_TOKEN, "//evil.example/")
    assert offsite.headers["location"] == "/"

    logout = await http.post("/logout")
    assert logout.status_code == 303
    assert "sanji_token" not in http.cookies
    assert (await http.get("/")).status_code == 303


async def test_unit_pages_show_counts_children_and_freshness(http: httpx.AsyncClient) -> None:
    await register_units(http)
    await first_activity(http, activity("act-0001", "3205.320506.320506001", 120))
    await wait_until(
        lambda: equals(subtree_activities(http, "3205"), 1), message="projection never caught up"
    )
    await login(http, CITY_TOKEN)

    home = await http.get("/")
    assert home.status_code == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert "苏州市民政局" in home.text
    assert 'href="/units/3205"' in home.text
    assert "数据截至" in home.text

    city = await http.get("/units/3205")
    assert city.status_code == 200
    for text in (
        "吴中区民政局",
        "相城区民政局",
        'href="/units/3205.320506"',
        "宣讲",
        "民政大讲堂",
        "应急演练",
    ):
        assert text in city.text, text
    assert "事件序号" in city.text
    assert "登记活动" in city.text

    township = await http.get("/units/3205.320506.320506001")
    assert township.status_code == 200
    assert "长桥街道" in township.text
    assert 'href="/units/3205"' in township.text  # breadcrumb up to the city
    assert 'href="/units/3205.320506"' in township.text
    assert ">120<" in township.text

    english = await http.get("/units/3205", params={"lang": "en"})
    assert "Data as of" in english.text
    assert "Outreach talk" in english.text
    assert 'href="/units/3205.320506?lang=en"' in english.text

    missing = await http.get("/units/3205.320599")
    assert missing.status_code == 404
    assert "找不到" in missing.text
    nowhere = await http.get("/no/such/page")
    assert nowhere.status_code == 404
    assert "<html" in nowhere.text
    assert "Traceback" not in nowhere.text


async def test_county_clerk_sees_only_its_county(http: httpx.AsyncClient) -> None:
    await register_units(http)
    await wait_until(
        lambda: equals(subtree_activities(http, "3205.320506"), 0), message="units never projected"
    )
    await login(http, COUNTY_TOKEN)
    home = await http.get("/")
    assert "吴中区民政局" in home.text
    assert "相城区民政局" not in home.text
    county = await http.get("/units/3205.320506")
    assert county.status_code == 200
    assert "苏州市民政局" in county.text  # the breadcrumb names the city …
    assert 'href="/units/3205"' not in county.text  # … without linking outside the scope
    outside = await http.get("/units/3205.320507")
    assert outside.status_code == 404
    assert "找不到" in outside.text
    assert "相城区民政局" not in outside.text
    assert "不在您的权限范围内" in outside.text  # said in Chinese: the service's English stays in the API
    assert "is not known" not in outside.text
    outside_en = await http.get("/units/3205.320507?lang=en")
    assert "3205.320507 is not known" in outside_en.text


async def test_log_activity_form_shows_errors_inline_and_logs(http: httpx.AsyncClient) -> None:
    await register_units(http)
    await first_activity(http, activity("act-0001", "3205", 1))
    await login(http, CITY_TOKEN)
    page = "/units/3205.320506.320506001"

    wrong = await http.post(
        f"{page}/activities",
        data={
            "form_id": "form-0001-abcdef",
            "kind": "outreach_talk",
            "topic": "",
            "held_on": "昨天",
            "audience": "-3",
        },
    )
    assert wrong.status_code == 422
    for text in ("不能为空", "请填写日期", "不能小于 0"):
        assert text in wrong.text, text
    english = await http.post(
        f"{page}/activities?lang=en", data={"kind": "", "topic": "x", "held_on": "2026-03-02"}
    )
    assert english.status_code == 422
    assert "choose one from the list" in english.text
    assert 'href="/units/3205.320506.320506001">中文</a>' in english.text  # back to the page, not the POST
    assert english.headers["x-frame-options"] == "DENY"
    assert "required" in english.text

    future = await http.post(
        f"{page}/activities",
        data={
            "form_id": "form-0002-abcdef",
            "kind": "training",
            "topic": "培训",
            "held_on": "2999-01-01",
            "audience": "5",
        },
    )
    assert future.status_code == 422  # refused by the contract's date window, next to the field
    assert "不能晚于今天" in future.text  # the door's refusal in the page's words, not its English
    assert "in the future" not in future.text
    tomorrow = (local_date(utc_now()) + timedelta(days=1)).isoformat()  # inside the door's tolerance
    refused = {"kind": "training", "topic": "培训", "held_on": tomorrow, "audience": "5"}
    by_service = await http.post(f"{page}/activities", data={**refused, "form_id": "form-0004-abcdef"})
    assert by_service.status_code == 422  # outreach's rule, said through the catalog by its code
    assert "不能晚于今天" in by_service.text
    assert "log an activity once" not in by_service.text
    by_service_en = await http.post(
        f"{page}/activities?lang=en", data={**refused, "form_id": "form-0005-abcdef"}
    )
    assert "must not be after today" in by_service_en.text
    early = await http.post(
        f"{page}/activities?lang=en",
        data={"kind": "training", "topic": "a\u202eb", "held_on": "1999-12-31", "audience": "5"},
    )
    assert early.status_code == 422
    assert "must not be before 2000-01-01" in early.text
    assert "text-direction control" in early.text
    early_zh = await http.post(
        f"{page}/activities",
        data={"kind": "training", "topic": "a\u202eb", "held_on": "1999-12-31", "audience": "5"},
    )
    assert "不能早于 2000-01-01" in early_zh.text
    assert "文字方向控制符" in early_zh.text
    assert "before" not in early_zh.text

    done = await http.post(
        f"{page}/activities",
        data={
            "form_id": "form-0003-abcdef",
            "kind": "community_event",
            "topic": "社区养老服务宣传",
            "held_on": "2026-03-01",
            "starts_at": "09:30",
            "audience": "48",
        },
    )
    assert done.status_code == 303
    # Read-your-writes: the redirect carries the write's position, and the page it leads to waits
    # (bounded) for it, so the first view after the form already counts the activity: no polling here.
    location = httpx.URL(done.headers["location"])
    assert location.path == page
    assert location.params["logged"] == "1"
    assert location.params["after"].startswith("3205/outreach:")
    shown = await http.get(done.headers["location"])
    assert shown.status_code == 200
    assert subtree_count(shown.text) == 1
    assert "活动已登记" in shown.text
    assert "社区活动" in shown.text
    assert ">48<" in shown.text

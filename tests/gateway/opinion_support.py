"""Helpers for the opinion pages' tests: what a form sends, what a page shows, one step by form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx

from contracts.envelope import utc_now
from services.eventkit.localtime import SHANGHAI
from services.gateway.app import GatewayRuntime

COUNTY, TOWN, OTHER_COUNTY = "3205.320506", "3205.320506.320506001", "3205.320507"


def local_input(moment: datetime) -> str:
    """What a datetime-local input sends: Shanghai wall time to the minute."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def state_line(page: str) -> str:
    found = re.search(r'id="case-state">([^<·]+)', page)
    assert found is not None, "the case page shows no state"
    return found[1].strip()


def field_error(page: str, form: str, field: str) -> str:
    """The refusal shown right after the input ``<form>-<field>``."""
    found = re.search(rf'id="{form}-{field}".*?<span class="field-error">([^<]+)</span>', page, re.S)
    assert found is not None, f"no refusal next to {form}-{field}"
    return found[1]


async def step(http: httpx.AsyncClient, case_id: str, name: str, data: dict[str, str]) -> str:
    """Send one step's form; it must lead to the case page, which already shows the step."""
    sent = await http.post(f"/opinion/cases/{case_id}/{name}", data=data)
    assert sent.status_code == 303, sent.text[:2000]
    location = httpx.URL(sent.headers["location"])
    assert location.path == f"/opinion/cases/{case_id}"
    assert location.params["after"]  # read-your-writes: the page waits until it shows this step
    page = await http.get(sent.headers["location"])
    assert page.status_code == 200
    return page.text


async def report_case(http: httpx.AsyncClient, unit: str, title: str) -> str:
    """Register an item at ``unit`` by form; its case id."""
    report = {
        "channel": "weibo",
        "title": title,
        "excerpt": "网友反映",
        "captured_at": local_input(utc_now() - timedelta(minutes=5)),
    }
    sent = await http.post(f"/opinion/units/{unit}/cases", data=report)
    assert sent.status_code == 303, sent.text[:2000]
    case_url = sent.headers["location"]
    assert (await http.get(case_url)).status_code == 200  # the case page shows it before the next form
    return httpx.URL(case_url).path.rsplit("/", 1)[-1]


@asynccontextmanager
async def logged_in(gateway: GatewayRuntime, token: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of ``gateway`` logged in with ``token``."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=30) as http:
        await http.post("/login", data={"token": token, "next": "/"})
        yield http

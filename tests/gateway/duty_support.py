"""People, pages and small helpers of the duty page tests (test_duty_pages.py)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.gateway.app import GatewayRuntime

COUNTY, TOWN, OTHER_COUNTY = "3205.320506", "3205.320506.320506001", "3205.320507"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@asynccontextmanager
async def browser(gateway: GatewayRuntime, token: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client logged in with ``token``, as a browser is: the session in a cookie."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=30) as client:
        assert (await client.post("/login", data={"token": token, "next": "/"})).status_code == 303
        yield client


async def send(client: httpx.AsyncClient, unit: str, form: str, data: Any, **extra: Any) -> str:
    """Send one form; it must lead back to the unit's duty page, which already shows what was sent."""
    sent = await client.post(f"/duty/units/{unit}/{form}", data=data, **extra)
    assert sent.status_code == 303, sent.text[:3000]
    location = httpx.URL(sent.headers["location"])
    assert location.path == f"/duty/units/{unit}"
    assert location.params["after"]  # read-your-writes
    page = await client.get(sent.headers["location"])
    assert page.status_code == 200
    return page.text


def option(page: str, select: str, label: str) -> str:
    """The value of the option labelled ``label`` in the select (or checkbox group) ``select``."""
    found = re.search(rf'id="{select}"(.*?)</(select|span)>', page, re.S)
    assert found is not None, f"no {select} on the page"
    for value, shown in re.findall(r'value="([^"]+)"[^>]*>\s*([^<]+)', found[1]):
        if label in html.unescape(shown):
            return str(value)
    raise AssertionError(f"{select} offers no {label}: {found[1][:800]}")


def field_error(page: str, form: str, field: str) -> str:
    """The refusal shown right after the input ``form-<form>-<field>``."""
    found = re.search(
        rf'id="form-{form}-{field}"(?:(?!</div>).)*?<span class="field-error">([^<]+)</span>', page, re.S
    )
    assert found is not None, f"no refusal next to {form}-{field}"
    return html.unescape(found[1])


def section(page: str, heading: str) -> str:
    """The page from the heading ``<h2>heading…`` to the next heading."""
    found = re.search(rf"<h2[^>]*>{heading}(.*?)<h2", page, re.S)
    assert found is not None, f"no {heading} on the page"
    return found[1]

"""Small test utilities shared across suites."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

from nats.aio.client import Client as NatsClient

from services.eventkit.busconnect import connect


async def wait_until(
    predicate: Callable[[], object | Awaitable[object]],
    timeout: float = 20.0,  # noqa: ASYNC109 - a polling deadline, not a cancellation scope
    interval: float = 0.05,
    message: str | Callable[[], str] = "",
) -> None:
    """Poll `predicate` (sync or async) until it returns something truthy.

    Raises AssertionError with `message` (or what it returns then, to show the last state seen) when
    `timeout` seconds pass first. Use this instead of sleeps.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(text or f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def connect_collecting(url: str, **options: Any) -> tuple[NatsClient, list[str]]:
    """A NATS connection (as the URL's user, with its inbox prefix) that records the server's errors."""
    errors: list[str] = []

    async def collect(error: Exception) -> None:
        errors.append(str(error))

    options = {"connect_timeout": 5, "max_reconnect_attempts": 0, **options}
    nc = await connect(url, "sanji-test", error_cb=collect, **options)
    return nc, errors


def refused(errors: list[str], action: str, subject: str) -> bool:
    """Whether the server reported a permissions violation for ``action`` ("Publish", "Subscription")."""
    wanted = f'permissions violation for {action} to "{subject}"'.lower()
    return any(wanted in error.lower() for error in errors)


class Sender:
    """Sends requests as one NATS user, like a gateway or another system: on a failure it reconnects with
    the password it has now and sends the same request again (same command id)."""

    def __init__(self, url: Callable[[], str], name: str) -> None:
        self.url, self.name = url, name  # the URL as it is now: a rotated password is read afresh
        self.nc: NatsClient | None = None
        self.retries = 0
        self.last_error = ""

    async def request(self, send: Callable[[NatsClient], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        while True:
            try:
                if self.nc is None or not self.nc.is_connected:
                    if self.nc is not None:  # bounded: closing a link to a killed server can hang
                        with contextlib.suppress(Exception):
                            await asyncio.wait_for(self.nc.close(), 5)
                    self.nc = await connect(self.url(), f"test-{self.name}", max_reconnect_attempts=0)
                reply = await send(self.nc)
                code = (reply.get("error") or {}).get("code")
                if reply.get("ok") or code == "conflict":
                    return reply
                if code != "unavailable":
                    raise AssertionError(f"refused: {reply}")
                self.last_error = repr(reply)
            except AssertionError:
                raise
            except Exception as error:  # the connection was closed under us: reconnect, resend
                self.last_error = repr(error)
            self.retries += 1
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        if self.nc is not None:
            await self.nc.close()

"""Small test utilities shared across suites."""

from __future__ import annotations

import asyncio
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
    message: str = "",
) -> None:
    """Poll `predicate` (sync or async) until it returns something truthy.

    Raises AssertionError with `message` when `timeout` seconds pass first. Use this instead of sleeps.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"condition not met within {timeout}s")
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

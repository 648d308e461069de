"""Small test utilities shared across suites."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable


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

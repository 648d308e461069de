"""Named points where tests simulate a crash. In production the hook is absent and costs one check."""

from __future__ import annotations

from collections.abc import Callable

FaultHook = Callable[[str], None]


class SimulatedCrash(BaseException):
    """Raised by a test's fault hook: like a process dying, nothing after it runs, nothing catches it."""


def no_faults(point: str) -> None:
    """The production hook: nothing happens at any point."""

"""Read-your-writes for an adjustment. The command appends only ScoreAdjusted; the new score is computed
afterwards by assessment's rescorer (within a second or so) and reaches the view as a later ScoreComputed,
which the command's ``after`` position does not cover. So the adjust form waits, bounded, until the view
holds a score for the period newer than the one the page showed, before leading back to it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from services.eventkit.client import SanjiClient
from services.gateway.errors import GatewayError
from services.gateway.reads import query

WAIT_SECONDS = 5.0
POLL_SECONDS = 0.2


async def rescored(
    sanji: SanjiClient, unit: str, period: str, before: dict[str, Any] | None, position: str
) -> bool:
    """Whether the view shows a score of ``unit`` for ``period`` newer than ``before`` within
    WAIT_SECONDS (an adjustment that leaves the score unchanged is never rescored: then False)."""
    deadline = time.monotonic() + WAIT_SECONDS
    params: dict[str, Any] = {"path": unit, "period": period}
    if position:
        params["after"] = position
    while True:
        try:
            found = (await query(sanji, "projection.assessment.unit", params))["score"]
        except GatewayError:
            found = None
        if found is not None and (before is None or found["updated_at"] != before["updated_at"]):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(POLL_SECONDS)

"""Read-your-writes through the real services: a command's reply names its position, and once the
projection says it has applied that position the view shows the write — with no polling of the view."""

from __future__ import annotations

from collections.abc import Awaitable

from contracts.commands import CommandReply
from services.eventkit.positions import parse_position, wait_applied
from tests.e2e.test_slice import UNITS
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client, running


async def test_a_logged_activity_is_in_the_view_once_its_position_is_applied(
    nats_url: str, database_url: str
) -> None:
    async with (
        running(nats_url, database_url, "duty", "outreach", "projection") as (_duty, _outreach, projection),
        client(nats_url) as sanji,
    ):
        for path, name, kind in UNITS[:3]:
            assert (
                await sanji.send("duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN)
            ).ok

        async def log(activity_id: str, audience: int) -> CommandReply:
            body = {
                "activity_id": activity_id,
                "unit": "3205.320506.320506001",
                "kind": "outreach_talk",
                "topic": "民政政策宣讲",
                "held_on": "2026-03-02",
                "audience": audience,
            }
            return await sanji.send(
                "outreach.log_activity", body, CITY_ADMIN, command_id=f"ryw-{activity_id}"
            )

        await wait_until(lambda: _ok(log("act-ryw-0", 1)), message="outreach never learnt the units")
        for round_ in range(1, 4):
            reply = await log(f"act-ryw-{round_}", 10)
            assert reply.ok
            assert reply.position is not None
            written = parse_position(reply.position)
            assert written.origin == "3205/outreach"
            assert await wait_applied(projection.pool, "projection", "outreach", written)
            answer = await sanji.query("projection.unit", {"path": "3205.320506.320506001"})
            assert answer["result"]["own"]["activities"] == 1 + round_  # at once: no wait for the view

        # The same command again answers with the same position (the stored reply).
        again = await log("act-ryw-3", 10)
        assert again.position == reply.position


async def _ok(pending: Awaitable[CommandReply]) -> bool:
    return bool((await pending).ok)

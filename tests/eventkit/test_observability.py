"""What operators rely on: the relay reports its backlog, logs are JSON lines carrying the
correlation id, and `sanji verify` says whether the chains hold through its exit code."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from typer.testing import CliRunner, Result

from services.cli.main import app
from services.eventkit.logs import configure_logging, correlation
from services.eventkit.relay import Relay
from tests.eventkit.events import batch
from tests.eventkit.rig import rig


async def test_relay_backlog_counts_what_is_not_yet_published(nats_url: str, database_url: str) -> None:
    async with rig(nats_url, database_url) as r:
        await r.store.append("b-1", 0, batch("b-1", 0, 7))
        relay = Relay(r.store, r.js, "kit", batch_size=5)
        assert await relay.backlog() == 7
        assert await relay.publish_batch() == 5
        assert await relay.backlog() == 2
        await relay.publish_batch()
        assert await relay.backlog() == 0


def test_log_lines_are_json_with_the_correlation_id(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("duty")
        with correlation("corr-123"):
            logging.getLogger("sanji.test").warning("命令被拒绝", extra={"command": "duty.register_unit"})
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    record = json.loads(line)
    assert record["message"] == "命令被拒绝"
    assert (record["service"], record["correlationid"], record["level"]) == ("duty", "corr-123", "WARNING")
    assert record["command"] == "duty.register_unit"


async def test_verify_command_exit_code_names_the_broken_link(
    nats_url: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with rig(nats_url, database_url, schema="duty") as r:
        await r.store.append("unit:3205", 0, batch("unit:3205", 0, 3))
        monkeypatch.setenv("DATABASE_URL", database_url)
        runner = CliRunner()
        intact = await _run(runner, ["verify", "duty"])
        assert intact.exit_code == 0, intact.output
        assert "every chain is intact" in intact.output

        await r.pool.execute(
            "UPDATE duty.events SET envelope = jsonb_set(envelope, '{actor}', '\"someone\"')"
            " WHERE stream_version = 2"
        )
        broken = await _run(runner, ["verify", "duty"])
        assert broken.exit_code == 1
        assert "stream unit:3205 version 2" in broken.output


async def _run(runner: CliRunner, args: list[str]) -> Result:
    # The command runs its own event loop: keep it off this test's loop.
    return await asyncio.to_thread(lambda: runner.invoke(app, args))

"""`sanji import` killed (SIGKILL) in the middle of a file: run again, every row is imported once, the
batch that was committed but not yet noted in the state file gets its stored reply, nothing is doubled."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import asyncpg
import httpx

from services.cli.import_cmd import ImportState, run_import
from services.outreach.aggregates import activity_stream
from tests.gateway.support import CITY_TOKEN, bearer, register_units
from tests.helpers import wait_until
from tests.outreach.test_import_cli import activity_row, write_lines

ROWS = 6000  # twelve batches: the kill lands with batches left to send


def batches_done(state_path: Path) -> int:
    try:
        return int(json.loads(state_path.read_text(encoding="utf-8"))["batches_done"])
    except (OSError, ValueError, KeyError):
        return 0


async def test_an_import_killed_mid_file_resumes_and_imports_every_row_once(
    http: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    await register_units(http)
    path = write_lines(tmp_path / "history.jsonl", [activity_row(n) for n in range(1, ROWS + 1)])
    state_path = tmp_path / "history.jsonl.sanji-import.json"
    command = [sys.executable, "-m", "services.cli.main", "import", str(path)]
    options = [
        "--source",
        "archive-kill",
        "--unit",
        "3205",
        "--url",
        str(http.base_url),
        "--token",
        CITY_TOKEN,
    ]
    with (tmp_path / "import.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *command, *options, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    try:
        await wait_until(lambda: batches_done(state_path) >= 2, timeout=120, message="no batch acknowledged")
    finally:
        process.kill()  # by its own PID; SIGKILL: no clean-up of any kind
        await asyncio.wait_for(process.wait(), 30)
    total = -(-ROWS // 500)
    killed_at = batches_done(state_path)
    assert killed_at < total, "the import finished before it was killed: nothing was tested"

    async with httpx.AsyncClient(base_url=http.base_url, headers=bearer(CITY_TOKEN), timeout=60) as client:
        state = await run_import(path, "activities", "archive-kill", "3205", client, show_progress=False)

    assert (state.done, state.imported, state.duplicate, state.failed) == (ROWS, ROWS, 0, 0)
    assert ImportState.load(state_path, state.file_sha256).batches_done == total
    conn = await asyncpg.connect(database_url)
    try:
        imported = await conn.fetch(
            "SELECT activity_id FROM outreach.imported_activities WHERE source = 'archive-kill'"
        )
        streams = [activity_stream(row["activity_id"]) for row in imported]
        events = await conn.fetchval(
            "SELECT count(*) FROM outreach.events WHERE stream_id = ANY($1::text[])", streams
        )
    finally:
        await conn.close()
    assert len(imported) == ROWS
    assert events == ROWS  # one ActivityLogged a row: no batch applied twice

"""`sanji import FILE`: years of history loaded through the same contracts and rules as a clerk's form.

The file (CSV, XLSX or JSON lines) is read into rows, cut into batches and each batch sent through the
gateway as the kind's bulk command (a few in flight at once), so every row passes the same validation
and decisions; the service answers per row (imported, duplicate, failed with the field and why). Each batch's Idempotency-Key is
derived from the file's content and the batch's place in it, and the batches acknowledged are written
to a state file next to it: an interrupted import started again skips what was acknowledged, and a
batch sent twice (the state written late) gets its stored reply — nothing is imported twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from services.gateway.outreach_imports import account, batches, report_csv
from services.gateway.outreach_table import TableError, read_table
from services.gateway.tokens import DEV_SECRET

RETRY_FOR = 120.0  # seconds a batch is retried while the stack is busy or restarting
IN_FLIGHT = 3  # batches sent before the first is answered: the gateway and the service work side by side
MAX_JSON_LINE = 64 * 1024


class ImportFailed(Exception):
    """The file cannot be imported at all (unreadable, or a batch refused as a whole)."""


@dataclass(frozen=True)
class ImportKind:
    """A record kind `sanji import` loads: the bulk command that takes its rows and how a file's rows read."""

    command: str  # <context>.<name> on the gateway's command route
    read: Callable[[str, bytes], list[dict[str, Any]]]
    describe: str
    sourced: bool = True  # its rows come from another register (source + external id); else they name
    # their own ids (outlets, posts) and --source only names the run


def activity_rows(filename: str, data: bytes) -> list[dict[str, Any]]:
    """Activities from a CSV/XLSX (the clerks' spreadsheet columns) or JSON lines (ActivityRow fields)."""
    if filename.lower().endswith((".jsonl", ".ndjson")):
        return json_lines(data)
    try:
        return read_table(filename, data).rows
    except TableError as error:
        raise ImportFailed(str(error)) from None


def json_lines(data: bytes) -> list[dict[str, Any]]:
    """One JSON object a line, each numbered by its line (blank lines skipped)."""
    rows = []
    for number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_JSON_LINE:
            raise ImportFailed(f"line {number}: longer than {MAX_JSON_LINE} characters")
        try:
            row = json.loads(line)
        except ValueError as error:
            raise ImportFailed(f"line {number}: not JSON ({error})") from None
        if not isinstance(row, dict):
            raise ImportFailed(f"line {number}: a JSON object is needed")
        rows.append({**row, "row": number})
    return rows


def json_line_rows(filename: str, data: bytes) -> list[dict[str, Any]]:
    """Rows with nested fields (a meeting's facts) come only as JSON lines, one row's fields a line."""
    if not filename.lower().endswith((".jsonl", ".ndjson")):
        raise ImportFailed(f"{filename}: this kind is imported from JSON lines (.jsonl), one row a line")
    return json_lines(data)


KINDS: dict[str, ImportKind] = {
    "activities": ImportKind("outreach.log_activities", activity_rows, "outreach activities (宣传教育活动)"),
    "meetings": ImportKind(
        "outreach.record_meetings", json_line_rows, "meetings (党组会、联席会议、形势研判…)"
    ),
    "publications": ImportKind(
        "outreach.record_publications", json_line_rows, "published pieces with their three reviews (三审三校)"
    ),
    "opinion-items": ImportKind(
        "opinion.report_items", json_line_rows, "past opinion items with their grading"
    ),
    "outlets": ImportKind("duty.register_outlets", json_line_rows, "outlets (阵地)", sourced=False),
    "posts": ImportKind("duty.register_posts", json_line_rows, "posts and who holds them", sourced=False),
}


@dataclass
class ImportState:
    """What a run has done, kept beside the file so a second run resumes instead of repeating."""

    file_sha256: str
    batches_done: int = 0
    done: int = 0
    imported: int = 0
    duplicate: int = 0
    failed: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, file_sha256: str) -> ImportState:
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            state = cls(**found) if isinstance(found, dict) else cls(file_sha256)
        except (OSError, ValueError, TypeError):
            return cls(file_sha256)
        # Another file, or another version of it: start from its first row.
        return state if state.file_sha256 == file_sha256 else cls(file_sha256)

    @staticmethod
    def report_path(path: Path) -> Path:
        return path.with_name(path.name + ".report.csv")

    def save(self, path: Path) -> None:
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)  # never a half-written state


def batch_key(file_sha256: str, kind: str, source: str, unit: str, index: int) -> str:
    """The same batch of the same file for the same source and unit always carries the same key."""
    digest = hashlib.sha256(f"{file_sha256}|{kind}|{source}|{unit}".encode()).hexdigest()[:32]
    return f"import-{digest}-{index:06d}"


async def send_batch(http: httpx.AsyncClient, command: str, body: dict[str, Any], key: str) -> dict[str, Any]:
    """The batch's per-row result; retried with the same key while the stack is busy or restarting."""
    context, name = command.split(".", 1)
    deadline, pause = time.monotonic() + RETRY_FOR, 0.2
    while True:
        try:
            response = await http.post(
                f"/api/v1/commands/{context}/{name}", json=body, headers={"Idempotency-Key": key}
            )
        except httpx.TransportError:
            response = None
        if response is not None and response.is_success:
            result: dict[str, Any] = response.json().get("result") or {}
            return result
        if response is not None and response.status_code not in (409, 429, 502, 503, 504):
            raise ImportFailed(f"batch {key} refused ({response.status_code}): {response.text[:500]}")
        if time.monotonic() > deadline:
            raise ImportFailed(f"batch {key}: the gateway did not answer for {RETRY_FOR:.0f} s")
        await asyncio.sleep(pause)
        pause = min(pause * 2, 3.0)


async def run_import(
    path: Path, kind: str, source: str, unit: str, http: httpx.AsyncClient, *, show_progress: bool = True
) -> ImportState:
    """Import ``path``; returns the state with every row accounted (written beside the file as it goes)."""
    data = await asyncio.to_thread(path.read_bytes)
    state_path = path.with_name(path.name + ".sanji-import.json")
    state = ImportState.load(state_path, hashlib.sha256(data).hexdigest())
    spec = KINDS[kind]
    rows = spec.read(path.name, data)
    chunks = batches(rows)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=not show_progress) as progress:
        task = progress.add_task(f"{kind} ← {path.name}", total=len(rows), completed=state.done)

        async def send(index: int) -> tuple[int, dict[str, Any]]:
            body = {"unit": unit, "rows": chunks[index]} | ({"source": source} if spec.sourced else {})
            key = batch_key(state.file_sha256, kind, source, unit, index)
            return index, await send_batch(http, spec.command, body, key)

        def note(index: int, result: dict[str, Any]) -> None:
            account(state, result, len(chunks[index]))
            state.batches_done = index + 1
            state.save(state_path)
            progress.update(task, completed=state.done)

        await send_in_order(send, state.batches_done, len(chunks), note)
    state.report_path(path).write_bytes(report_csv(state))
    return state


async def send_in_order(
    send: Callable[[int], Coroutine[Any, Any, tuple[int, dict[str, Any]]]],
    first: int,
    count: int,
    note: Callable[[int, dict[str, Any]], None],
) -> None:
    """Batches ``first`` … ``count - 1``, IN_FLIGHT at a time (the gateway parses one while the service
    writes another), each noted in file order once it and every batch before it are answered: the state
    only ever says "the first N batches are done". On a failure no new batch starts, the ones in flight
    finish (and are noted), then the first error is raised; a batch answered but not noted is sent again
    by the next run and gets its stored reply."""
    answered: dict[int, dict[str, Any]] = {}
    running: set[asyncio.Task[tuple[int, dict[str, Any]]]] = set()
    upcoming, noted = first, first
    failure: BaseException | None = None
    while running or (failure is None and upcoming < count):
        while failure is None and upcoming < count and len(running) < IN_FLIGHT:
            running.add(asyncio.create_task(send(upcoming)))
            upcoming += 1
        done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        for finished in done:
            error = finished.exception()
            if error is not None:
                failure = failure or error
            else:
                index, result = finished.result()
                answered[index] = result
        while noted in answered:
            note(noted, answered.pop(noted))
            noted += 1
    if failure is not None:
        raise failure


def register(app: typer.Typer) -> None:
    """Add `sanji import` to ``app``."""

    @app.command("import")
    def import_file(  # noqa: PLR0917 - typer maps each parameter to an option
        file: Annotated[
            Path, typer.Argument(help="a .csv, .xlsx or .jsonl file", exists=True, dir_okay=False)
        ],
        source: Annotated[
            str, typer.Option("--source", help="where the records come from, e.g. archive-2024")
        ],
        unit: Annotated[str, typer.Option("--unit", help="every row's unit lies in this unit's subtree")],
        kind: Annotated[str, typer.Option("--kind", help=f"one of: {', '.join(KINDS)}")] = "activities",
        url: Annotated[
            str, typer.Option("--url", envvar="SANJI_URL", help="the gateway")
        ] = "http://127.0.0.1:8000",
        token: Annotated[
            str, typer.Option("--token", envvar="SANJI_TOKEN", help="bearer token")
        ] = DEV_SECRET,
    ) -> None:
        """Import history from FILE through the same rules as the forms; resumable, with a per-row report."""
        if kind not in KINDS:
            typer.echo(f"--kind: one of {', '.join(KINDS)}", err=True)
            raise typer.Exit(2)

        async def go() -> ImportState:
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
                return await run_import(file, kind, source, unit, http)

        try:
            state = asyncio.run(go())
        except ImportFailed as error:
            typer.echo(f"import stopped: {error} (run it again to resume)", err=True)
            raise typer.Exit(1) from None
        typer.echo(
            f"{state.done} rows: {state.imported} imported, {state.duplicate} duplicate,"
            f" {state.failed} failed; report: {file.name}.report.csv"
        )
        raise typer.Exit(1 if state.failed else 0)

"""Import jobs: an uploaded table is sent in batches as ``outreach.log_activities`` commands in the
background; the page polls the job for rows done out of total and, at the end, offers the per-row
report as a CSV Excel opens correctly (UTF-8 with a BOM).

Jobs live in the gateway's memory (the last MAX_JOBS): a restart forgets the progress bars, not
the imports — each batch's command id is derived from the job, so nothing is applied twice."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from contracts.commands import Actor
from contracts.outreach import MAX_IMPORT_ROWS, LogActivities
from services.eventkit.client import SanjiClient, new_command_id
from services.gateway.outreach_table import Table

log = logging.getLogger(__name__)
MAX_JOBS = 100
BATCH_BYTES = 256 * 1024  # well under the command's limit, whatever the rows hold
RETRIES = 5
STATUS_LABELS = {"failed": "错误", "duplicate": "重复"}


class Tally(Protocol):
    """Rows accounted so far and the problems to report (an import job's, or `sanji import`'s)."""

    done: int
    imported: int
    duplicate: int
    failed: int
    problems: list[dict[str, Any]]


@dataclass
class ImportJob:
    job_id: str
    actor: Actor
    source: str
    unit: str
    filename: str
    total: int
    ignored_columns: list[str]
    has_external_ids: bool
    done: int = 0
    imported: int = 0
    duplicate: int = 0
    failed: int = 0
    state: str = "running"  # running | done | failed
    error: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)  # rows not imported, with why
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    task: asyncio.Task[None] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "state": self.state,
            "filename": self.filename,
            "source": self.source,
            "unit": self.unit,
            "total": self.total,
            "done": self.done,
            "imported": self.imported,
            "duplicate": self.duplicate,
            "failed": self.failed,
            "error": self.error,
            "ignored_columns": self.ignored_columns,
            "external_ids": "from the file" if self.has_external_ids else "derived from each row's content",
            "report_url": f"/api/v1/outreach/imports/{self.job_id}/report.csv",
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


class ImportJobs:
    """The gateway's import jobs, newest last; only the actor who started one sees it."""

    def __init__(self) -> None:
        self.jobs: dict[str, ImportJob] = {}

    def start(
        self, sanji: SanjiClient, actor: Actor, *, source: str, unit: str, filename: str, table: Table
    ) -> ImportJob:
        job = ImportJob(
            job_id=new_command_id(),
            actor=actor,
            source=source,
            unit=unit,
            filename=filename,
            total=len(table.rows),
            ignored_columns=table.ignored_columns,
            has_external_ids=table.has_external_ids,
        )
        self.jobs[job.job_id] = job
        while len(self.jobs) > MAX_JOBS:
            oldest = next(iter(self.jobs))
            if self.jobs[oldest].state == "running":
                break
            del self.jobs[oldest]
        job.task = asyncio.create_task(run_job(sanji, job, table.rows))
        return job

    def get(self, job_id: str, actor: Actor) -> ImportJob | None:
        job = self.jobs.get(job_id)
        return job if job is not None and job.actor.id == actor.id else None


def batches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows in batches of at most MAX_IMPORT_ROWS rows and about BATCH_BYTES bytes."""
    found: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        row_size = len(json.dumps(row, ensure_ascii=False, default=str).encode())
        if current and (len(current) >= MAX_IMPORT_ROWS or size + row_size > BATCH_BYTES):
            found.append(current)
            current, size = [], 0
        current.append(row)
        size += row_size
    if current:
        found.append(current)
    return found


async def run_job(sanji: SanjiClient, job: ImportJob, rows: list[dict[str, Any]]) -> None:
    try:
        for index, batch in enumerate(batches(rows)):
            body = {"source": job.source, "unit": job.unit, "rows": batch}
            reply = None
            for attempt in range(RETRIES):
                reply = await sanji.send(
                    LogActivities.command_name, body, job.actor, command_id=f"{job.job_id}-{index:05d}"
                )
                if reply.ok or reply.error is None or reply.error.code not in ("unavailable", "conflict"):
                    break
                await asyncio.sleep(0.5 * (attempt + 1))  # the service is restarting or busy: same id again
            assert reply is not None
            if not reply.ok:
                job.state, job.error = "failed", reply.error.message if reply.error else "refused"
                return
            account(job, reply.result or {}, len(batch))
        job.state = "done"
    except Exception as error:  # the job must end in a state the page can show
        log.exception("import job failed", extra={"job": job.job_id})
        job.state, job.error = "failed", f"{type(error).__name__}: {error}"
    finally:
        job.finished_at = datetime.now(UTC)


def account(job: Tally, result: dict[str, Any], batch_size: int) -> None:
    job.done += batch_size
    job.imported += int(result.get("imported", 0))
    job.duplicate += int(result.get("duplicate", 0))
    job.failed += int(result.get("failed", 0))
    for row in result.get("rows", []):
        if row.get("status") == "failed":
            for error in row.get("errors", []):
                job.problems.append({**row, "field": error.get("field"), "reason": error.get("reason")})
        elif row.get("status") == "duplicate":
            # the record's id is named by its kind (activity_id, meeting_id, publication_id)
            record = next((v for k, v in row.items() if k.endswith("_id") and k != "external_id"), None)
            reason = f"already imported as {record}"
            job.problems.append({**row, "field": "external_id", "reason": reason})


def report_csv(job: Tally) -> bytes:
    """The rows not imported, one line per problem, UTF-8 with a BOM so Excel shows the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号 row", "外部编号 external_id", "状态 status", "字段 field", "原因 reason"])
    for problem in sorted(job.problems, key=lambda p: int(p.get("row") or 0)):
        status = str(problem.get("status"))
        writer.writerow(
            [
                problem.get("row"),
                problem.get("external_id") or "",
                f"{STATUS_LABELS.get(status, status)} {status}",
                problem.get("field") or "",
                problem.get("reason") or "",
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")

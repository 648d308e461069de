"""Outreach over HTTP: reads of the outreach view cut to the actor's subtree, evidence uploads and
downloads, and spreadsheet imports with progress and a per-row report. (Commands go through the
generic ``POST /api/v1/commands/outreach/<name>``.) The pages are in outreach_pages.py."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from contracts.commands import Actor, Role
from contracts.outreach import LogActivities
from services.gateway.api import sanji_of
from services.gateway.auth import api_actor
from services.gateway.commands import read_body
from services.gateway.errors import GatewayError, field_error
from services.gateway.evidence import Grant, grants_of
from services.gateway.outreach_files import HASH, TooLarge, file_store
from services.gateway.outreach_imports import ImportJob, ImportJobs, report_csv
from services.gateway.outreach_table import TableError, read_table
from services.gateway.params import given_name, passed
from services.gateway.reads import checked_path, query, scoped_record, unseen

router = APIRouter()
ApiActor = Annotated[Actor, Depends(api_actor)]
MAX_TABLE_BYTES = 20 * 1024 * 1024
SOURCE = re.compile(r"^[a-z][a-z0-9_.-]{1,39}\Z")
UPLOADERS = frozenset({Role.ADMIN, Role.CLERK, Role.LEADER})


def q(name: str) -> str:
    return f"projection.outreach.{name}"


def flags(request: Request, *names: str) -> dict[str, bool]:
    return {name: request.query_params.get(name, "") in ("1", "true", "yes") for name in names}


async def summary(request: Request, actor: Actor, unitpath: str) -> dict[str, Any]:
    params = {"path": checked_path(unitpath, actor), **passed(request, "period", "after")}
    return await query(sanji_of(request), q("summary"), params)


async def in_scope(request: Request, actor: Actor, record: str, record_id: str) -> dict[str, Any]:
    """One activity or publication by id; one outside the actor's subtree is answered as not found."""
    return await scoped_record(
        sanji_of(request), q(record), record, record_id, actor, units=lambda found: [found[record]["unit"]]
    )


async def upload_evidence(request: Request, actor: Actor) -> dict[str, Any]:
    """Store the body and grant it to ``unit`` (default the actor's scope unit), which must be in scope."""
    if not actor.roles & UPLOADERS:
        raise GatewayError("forbidden", "uploading evidence needs the clerk, leader or admin role")
    unit = checked_path(request.query_params.get("unit") or actor.scope, actor)
    filename = given_name(request) or "evidence"
    try:
        stored = await file_store().put(
            request.stream(), request.headers.get("content-type", ""), filename.strip()[:200]
        )
    except TooLarge as error:
        raise field_error("body", str(error), "too_large") from None
    grant = Grant(stored.sha256, unit, filename.strip()[:200], stored.content_type)
    await grants_of(request).grant(grant, actor.id)
    return stored.as_json() | {"unit": unit, "filename": grant.filename}


@router.post("/api/v1/outreach/evidence")
async def post_evidence(request: Request, actor: ApiActor) -> dict[str, Any]:
    """Store the request body as evidence for ``?unit=`` (default your scope unit); answers its sha256,
    to put in an activity's ``evidence``. Only actors whose subtree holds that unit can download it."""
    return await upload_evidence(request, actor)


@router.get("/api/v1/outreach/evidence/{sha256}")
async def get_evidence(sha256: str, request: Request, actor: ApiActor) -> Response:
    """An evidence file granted to a unit in the actor's subtree, always as a download (never rendered
    in the page); any other hash is the same 404 whether the file exists or not."""
    return await evidence_download(request, actor, sha256)


async def evidence_download(request: Request, actor: Actor, sha256: str) -> Response:
    """The file as an attachment if granted to a unit in the actor's subtree, else the not-found 404."""
    grant = await grants_of(request).visible(sha256, actor.scope) if HASH.match(sha256) else None
    stored = file_store().get(sha256) if grant is not None else None
    if grant is None or stored is None:
        raise unseen("evidence file", sha256)
    path, _ = file_store().paths(sha256)
    disposition = f"attachment; filename*=UTF-8''{quote(grant.filename)}"
    headers = {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private",
    }
    return FileResponse(path, media_type=grant.content_type, headers=headers)


def jobs_of(request: Request) -> ImportJobs:
    jobs: ImportJobs | None = getattr(request.app.state, "outreach_imports", None)
    if jobs is None:
        jobs = request.app.state.outreach_imports = ImportJobs()
    return jobs


async def start_import(request: Request, actor: Actor) -> ImportJob:
    if not actor.roles & LogActivities.allowed_roles:
        raise GatewayError("forbidden", "importing activities needs the clerk or admin role")
    unit = checked_path(request.query_params.get("unit") or actor.scope, actor)
    source = request.query_params.get("source") or "upload"
    if not SOURCE.match(source):
        raise field_error("source", "2–40 of a-z 0-9 _ . -, starting with a letter")
    filename = given_name(request) or ""
    data = await read_body(request, MAX_TABLE_BYTES)
    try:
        table = read_table(filename, data)
    except TableError as error:
        raise field_error("file", str(error)) from None
    if not table.rows:
        raise field_error("file", "the file has a header but no rows")
    return jobs_of(request).start(
        sanji_of(request), actor, source=source, unit=unit, filename=filename or "upload", table=table
    )


def job_for(request: Request, actor: Actor, job_id: str) -> ImportJob:
    job = jobs_of(request).get(job_id, actor)
    if job is None:
        raise GatewayError(
            "not_found", f"no import {job_id} of yours (imports are kept while the gateway runs)"
        )
    return job


def report_response(job: ImportJob) -> Response:
    name = quote(f"导入报告-{job.filename}.csv")
    return Response(
        report_csv(job),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.post("/api/v1/outreach/imports", status_code=202)
async def post_import(request: Request, actor: ApiActor) -> JSONResponse:
    """Import a .csv or .xlsx body (``?filename=…&source=…&unit=…``); answers a job to poll."""
    job = await start_import(request, actor)
    return JSONResponse(job.as_json(), status_code=202)


@router.get("/api/v1/outreach/imports/{job_id}")
async def get_import(job_id: str, request: Request, actor: ApiActor) -> dict[str, Any]:
    """Progress: rows done out of total, and how many were imported, duplicates or failed."""
    return job_for(request, actor, job_id).as_json()


@router.get("/api/v1/outreach/imports/{job_id}/report.csv")
async def get_import_report(job_id: str, request: Request, actor: ApiActor) -> Response:
    """The rows not imported and why, as CSV for Excel (UTF-8 with BOM)."""
    return report_response(job_for(request, actor, job_id))

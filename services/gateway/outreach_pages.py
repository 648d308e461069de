"""Outreach pages (Chinese by default, ``?lang=en`` for English): a unit's outreach for a period with
plan versus actual, an activity with its history, and the spreadsheet import with a progress bar."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from contracts.commands import Actor
from contracts.outreach import ActivityKind, PublicationStatus
from services.gateway.api import sanji_of
from services.gateway.auth import page_actor
from services.gateway.errors import GatewayError, error_response
from services.gateway.outreach_api import in_scope, job_for, q, report_response, start_import, summary
from services.gateway.pages import views_of
from services.gateway.reads import checked_path, query
from services.gateway.views import lang_of

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
UPLOAD_HEADER = "x-sanji-upload"  # a form on another site cannot set it: the upload is this page's own

TEXT: dict[str, tuple[str, str]] = {
    "outreach": ("宣传学习", "Outreach"),
    "period": ("统计期间", "Period"),
    "show": ("查看", "Show"),
    "plan": ("计划完成情况", "Plan versus actual"),
    "no_plan": ("本年度尚未设定目标。", "No targets set for this year."),
    "target": ("目标", "Target"),
    "actual": ("完成", "Done"),
    "shortfall": ("差额", "Shortfall"),
    "completion": ("全年完成率", "Year completion"),
    "cadence_month": ("每月", "per month"),
    "cadence_quarter": ("每季度", "per quarter"),
    "cadence_year": ("每年", "per year"),
    "scope_own": ("本级", "own"),
    "scope_subtree": ("含下级", "incl. subunits"),
    "publications": ("信息发布（三审三校）", "Publications (three reviews)"),
    "by_outlet": ("按阵地", "By outlet"),
    "published": ("已发布", "Published"),
    "views": ("阅读量", "Views"),
    "recent": ("本期活动", "Activities in the period"),
    "no_activities": ("本期没有活动。", "No activities in this period."),
    "history": ("变更记录", "History"),
    "voided": ("已作废", "voided"),
    "corrections": ("更正次数", "Corrections"),
    "import": ("批量导入活动", "Import activities"),
    "import_hint": (
        "上传 CSV 或 Excel（.xlsx）文件，第一行为列名：单位代码、活动类型、主题、日期、人次，可选外部编号、开始时间、"
        "参加人员、时长（分钟）、地点、主讲人。重复的记录不会重复导入。",
        "Upload a CSV or Excel (.xlsx) file whose first row names the columns: unit, kind, topic, held_on, "
        "audience; optionally external_id, starts_at, participants, duration_minutes, venue, speakers. "
        "A record imported before is not imported again.",
    ),
    "file": ("文件", "File"),
    "source": ("来源系统", "Source"),
    "upload": ("开始导入", "Import"),
    "progress": ("进度", "Progress"),
    "report": ("下载未导入行报告（CSV）", "Download the report of rows not imported (CSV)"),
    "imported": ("已导入", "Imported"),
    "duplicate": ("重复", "Duplicates"),
    "failed": ("错误", "Errors"),
    "status_" + PublicationStatus.AWAITING_FIRST: ("待初审", "Awaiting first review"),
    "status_" + PublicationStatus.AWAITING_SECOND: ("待复审", "Awaiting second review"),
    "status_" + PublicationStatus.AWAITING_THIRD: ("待终审", "Awaiting third review"),
    "status_" + PublicationStatus.RETURNED: ("退回修改", "Sent back"),
    "status_" + PublicationStatus.APPROVED: ("待发布", "Approved, to publish"),
    "status_" + PublicationStatus.PUBLISHED: ("已发布", "Published"),
}


def words_of(request: Request) -> Any:
    english = lang_of(request) == "en"

    def o(key: str) -> str:
        pair = TEXT.get(key)
        return (pair[1] if english else pair[0]) if pair else key

    return o


@router.get("/outreach/units/{unitpath}")
async def unit_outreach(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    found = await summary(request, actor, unitpath)
    listed = await query(
        sanji_of(request),
        q("activities"),
        {"path": found["unit"]["path"], "period": found["period"]["label"], "limit": 50},
    )
    return views_of(request).render(
        request,
        "outreach_unit.html",
        actor=actor,
        o=words_of(request),
        s=found,
        kinds=[kind.value for kind in ActivityKind],
        activities=listed["activities"],
        total=listed["total"],
    )


@router.get("/outreach/activities/{activity_id}")
async def activity_page(activity_id: str, request: Request, actor: PageActor) -> HTMLResponse:
    found = await in_scope(request, actor, "activity", activity_id)
    return views_of(request).render(
        request,
        "outreach_activity.html",
        actor=actor,
        o=words_of(request),
        a=found["activity"],
        history=found["history"],
    )


@router.get("/outreach/import")
async def import_page(request: Request, actor: PageActor) -> HTMLResponse:
    unit = checked_path(request.query_params.get("unit") or actor.scope, actor)
    return views_of(request).render(
        request, "outreach_import.html", actor=actor, o=words_of(request), unit=unit
    )


@router.post("/outreach/import")
async def import_upload(request: Request, actor: PageActor) -> Response:
    """The import page's upload (sent by its script): answers the job as JSON."""
    if request.headers.get(UPLOAD_HEADER) != "1":
        return error_response(GatewayError("forbidden", "uploads come from the import page"))
    try:
        job = await start_import(request, actor)
    except GatewayError as error:
        return error_response(error)
    return JSONResponse(job.as_json(), status_code=202)


@router.get("/outreach/import/{job_id}")
async def import_progress(job_id: str, request: Request, actor: PageActor) -> Response:
    try:
        return JSONResponse(job_for(request, actor, job_id).as_json())
    except GatewayError as error:
        return error_response(error)


@router.get("/outreach/import/{job_id}/report.csv")
async def import_report(job_id: str, request: Request, actor: PageActor) -> Response:
    return report_response(job_for(request, actor, job_id))

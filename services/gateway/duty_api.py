"""Duty over HTTP: reads of the duty view cut to the actor's subtree (JSON under ``/api/v1/duty``)
and the duty page of a unit (``/duty/units/<path>``, Chinese by default, ``?lang=en`` for English).
Commands go through the generic ``POST /api/v1/commands/duty/<name>``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from contracts.commands import Actor
from contracts.duty import NegativeListItem, OutletKind, OutletStatus, PostKind
from services.gateway.api import sanji_of
from services.gateway.auth import api_actor, page_actor
from services.gateway.labels import Bilingual, Pair
from services.gateway.pages import views_of
from services.gateway.params import passed
from services.gateway.reads import checked_path, query
from services.gateway.views import lang_of

router = APIRouter()
ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]


async def read(request: Request, actor: Actor, name: str, unitpath: str, *names: str) -> dict[str, Any]:
    """Projection query ``duty.<name>`` for a unit in the actor's scope, passing the named parameters."""
    params: dict[str, Any] = {"path": checked_path(unitpath, actor)}
    params |= passed(request, *names)
    if "subtree" in params:
        params["subtree"] = params["subtree"] in ("1", "true", "yes")
    return await query(sanji_of(request), f"projection.duty.{name}", params)


TEXT: dict[str, Pair] = {
    "duty": ("责任制", "Duty"),
    "as_of": ("截至日期", "As of"),
    "show": ("查看", "Show"),
    "posts": ("岗位", "Posts"),
    "filled": ("在岗", "Filled"),
    "vacant": ("空缺", "Vacant"),
    "gaps": ("无人负责的阵地", "Outlets without an owner in post"),
    "outlets": ("阵地", "Outlets"),
    "inspections": ("专项检查", "Inspections"),
    "findings": ("问题", "Findings"),
    "open": ("整改中", "Open"),
    "overdue": ("逾期", "Overdue"),
    "closed": ("已整改", "Closed"),
    "responsibility_list": ("四级责任清单", "Four-level responsibility list"),
    "principal_responsibility": ("主体责任（领导小组）", "Principal responsibility (leading group)"),
    "first_responsible": ("第一责任人", "First responsible person"),
    "leader_in_charge": ("分管领导（直接责任）", "Leaders in charge (direct responsibility)"),
    "department_head": ("科室负责人、支部书记", "Section heads and branch secretaries"),
    "information_officers": ("信息宣传员", "Information officers"),
    "oversees": ("分管", "Oversees"),
    "holder": ("责任人", "Holder"),
    "nobody": ("空缺", "vacant"),
    "owner": ("主办岗位", "Owning post"),
    "since": ("起始", "Since"),
    "rectifications": ("整改", "Rectifications"),
    "due": ("整改时限", "Due"),
    "estimated": ("（节假日安排未公布，按工作日估算）", "(holiday calendar not announced: estimated)"),
    "none": ("无", "None"),
    "retired": ("已撤并", "Retired"),
}
KIND_LABELS: dict[str, Pair] = {
    OutletKind.WEBSITE: ("门户网站", "Website"),
    OutletKind.WECHAT_ACCOUNT: ("微信公众号", "WeChat account"),
    OutletKind.VIDEO_ACCOUNT: ("视频号", "Video account"),
    OutletKind.INTERNAL_PUBLICATION: ("内部刊物", "Internal publication"),
    OutletKind.BULLETIN_BOARD: ("宣传栏", "Bulletin board"),
    OutletKind.ELECTRONIC_SCREEN: ("电子屏", "Electronic screen"),
    OutletKind.READING_CORNER: ("红色书屋", "Reading corner"),
    OutletKind.LECTURE_HALL: ("讲堂", "Lecture hall"),
    OutletStatus.ACTIVE: ("运行", "active"),
    OutletStatus.SUSPENDED: ("暂停", "suspended"),
    OutletStatus.CLOSED: ("关停", "closed"),
    PostKind.FIRST_RESPONSIBLE: ("第一责任人", "First responsible"),
    PostKind.LEADER_IN_CHARGE: ("分管领导", "Leader in charge"),
    PostKind.DEPARTMENT_HEAD: ("科室负责人", "Department head"),
    PostKind.BRANCH_SECRETARY: ("支部书记", "Branch secretary"),
    PostKind.INFORMATION_OFFICER: ("信息宣传员", "Information officer"),
    PostKind.LEADING_GROUP_MEMBER: ("领导小组成员", "Leading group member"),
    PostKind.GROUP_OFFICE_MEMBER: ("领导小组办公室成员", "Group office member"),
    NegativeListItem.POLITICAL_ERROR: ("政治性差错", "Political error"),
    NegativeListItem.IMPROPER_WORDING: ("提法不规范", "Improper wording"),
    NegativeListItem.UNREVIEWED_CONTENT: ("未经三审三校", "Not reviewed"),
    NegativeListItem.SENSITIVE_INFORMATION: ("涉密敏感信息", "Sensitive information"),
    NegativeListItem.PERSONAL_DATA: ("泄露个人信息", "Personal data"),
    NegativeListItem.STALE_CONTENT: ("长期不更新", "Stale content"),
    NegativeListItem.COMMERCIAL_ADVERTISING: ("违规商业广告", "Commercial advertising"),
    NegativeListItem.VULGAR_CONTENT: ("低俗内容", "Vulgar content"),
    NegativeListItem.UNREGISTERED_OUTLET: ("未备案阵地", "Unregistered outlet"),
}


@dataclass(frozen=True)
class DutyWords(Bilingual):
    """The page's words: ``d('key')``, and ``d.kind(value)`` for an outlet, post or negative-list kind."""

    def __call__(self, key: str) -> str:
        return self._pick(TEXT.get(key), key)

    def kind(self, value: str) -> str:
        return self._pick(KIND_LABELS.get(value), value)


@router.get("/duty/units/{unitpath}", include_in_schema=False)
async def duty_page(unitpath: str, request: Request, actor: PageActor) -> HTMLResponse:
    """A unit's duty at a glance: counts, the responsibility list and outlets as of a date, gaps, rectifications."""
    summary, listed, gaps, rectifications = await asyncio.gather(
        read(request, actor, "unit", unitpath),
        read(request, actor, "responsibility_list", unitpath, "as_of"),
        read(request, actor, "gaps", unitpath),
        read(request, actor, "rectifications", unitpath),
    )
    return views_of(request).render(
        request,
        "duty_unit.html",
        actor=actor,
        s=summary,
        r=listed,
        gaps=gaps["gaps"],
        rectifications=[x for x in rectifications["rectifications"] if x["state"] != "closed"],
        d=DutyWords(lang_of(request)),
    )

"""Words on the pages: Chinese by default (the glossary's terms), English with ``?lang=en``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.duty import UnitKind
from contracts.outreach import ActivityKind
from contracts.units import Level
from services.eventkit.localtime import SHANGHAI

Pair = tuple[str, str]  # (中文, English)

ACTIVITY_KINDS: dict[str, Pair] = {
    ActivityKind.CENTRAL_GROUP_STUDY: ("中心组学习", "Central group study"),
    ActivityKind.SEMINAR: ("专题研讨", "Seminar"),
    ActivityKind.LECTURE: ("民政大讲堂", "Lecture"),
    ActivityKind.OUTREACH_TALK: ("宣讲", "Outreach talk"),
    ActivityKind.BRANCH_STUDY: ("主题党日/支部学习", "Branch study"),
    ActivityKind.COMMUNITY_EVENT: ("社区活动", "Community event"),
    ActivityKind.TRAINING: ("培训", "Training"),
    ActivityKind.DRILL: ("应急演练", "Emergency drill"),
}
UNIT_KINDS: dict[str, Pair] = {
    UnitKind.BUREAU: ("市民政局", "City bureau"),
    UnitKind.COUNTY_OFFICE: ("县(区)民政局", "County office"),
    UnitKind.TOWNSHIP_OFFICE: ("乡镇(街道)", "Township office"),
    UnitKind.DEPARTMENT: ("科室", "Department"),
    UnitKind.AFFILIATED_INSTITUTION: ("局属事业单位", "Affiliated institution"),
    UnitKind.BRANCH: ("党支部", "Party branch"),
    UnitKind.SOCIAL_ORGANIZATION: ("社会组织", "Social organization"),
}
LEVELS: dict[str, Pair] = {
    Level.CITY: ("市", "City"),
    Level.COUNTY: ("县(区)", "County"),
    Level.TOWNSHIP: ("乡镇(街道)", "Township"),
}
FIELDS: dict[str, Pair] = {
    "kind": ("活动类型", "Kind"),
    "topic": ("主题", "Topic"),
    "held_on": ("日期", "Date"),
    "starts_at": ("开始时间", "Starts at"),
    "audience": ("人次", "Attendance (person-times)"),
}
TEXT: dict[str, Pair] = {
    "app": ("三级 · 民政工作责任制", "Sanji · civil-affairs duty"),
    "other_lang": ("English", "中文"),
    "logout": ("退出", "Log out"),
    "login": ("登录", "Log in"),
    "login_hint": ("请粘贴管理员发给您的访问令牌。", "Paste the access token you were given."),
    "token": ("访问令牌", "Access token"),
    "bad_token": ("令牌无效，请检查后重试。", "That token is not valid. Check it and try again."),
    "home": ("首页", "Home"),
    "units": ("单位", "Units"),
    "unit": ("单位", "Unit"),
    "code": ("代码", "Code"),
    "level": ("层级", "Level"),
    "unit_kind": ("类型", "Type"),
    "activities": ("活动", "Activities"),
    "audience": ("人次", "Person-times"),
    "own": ("本级", "This unit"),
    "subtree": ("含下级", "Incl. subunits"),
    "subtree_activities": ("活动（含下级）", "Activities (incl. subunits)"),
    "subtree_audience": ("人次（含下级）", "Person-times (incl. subunits)"),
    "by_kind": ("按活动类型", "By activity kind"),
    "children": ("下级单位", "Subunits"),
    "assessment": ("考核得分与通报", "Assessment scores and bulletins"),
    "no_children": ("没有下级单位。", "No subunits."),
    "no_units": ("尚无单位。", "No units yet."),
    "freshness": ("数据截至 {time} · 事件序号 {seq}", "Data as of {time} · event sequence {seq}"),
    "no_data": ("尚无数据", "no data yet"),
    "log_activity": ("登记活动", "Log an activity"),
    "submit": ("提交", "Submit"),
    "optional": ("选填", "optional"),
    "choose": ("请选择", "Choose…"),
    "logged": ("活动已登记，统计将在数秒内更新。", "Activity logged; the counts update within seconds."),
    "not_logged": ("未能登记：", "Not logged: "),
    "error": ("出错了", "Something went wrong"),
    "back_home": ("返回首页", "Back to the home page"),
    "e400": ("请求有误", "Bad request"),
    "e401": ("需要登录", "Login required"),
    "e403": ("无权访问", "Not allowed"),
    "e404": ("找不到", "Not found"),
    "e405": ("不支持此操作", "Method not allowed"),
    "e409": ("记录冲突", "Conflict"),
    "e413": ("内容过大", "Too large"),
    "e422": ("内容有误", "Invalid input"),
    "e503": ("服务暂不可用，请稍后再试", "Service unavailable; try again shortly"),
    "e500": ("系统出错，请稍后再试", "Internal error; try again shortly"),
}


# What an error page says under its heading, by the error's code: a service's refusal is an English
# sentence for the API, so a Chinese page says it in these words instead.
EXPLANATIONS: dict[str, str] = {
    "not_found": "您要找的内容不存在，或不在您的权限范围内。",
    "forbidden": "您的角色不能进行此项操作。",
    "invalid": "提交的内容有误，请检查后重试。",
    "rejected": "此项操作不符合业务规则，未被执行。",
    "conflict": "记录刚被他人修改，请刷新后重试。",
    "unavailable": "服务暂不可用，请稍后再试。",
    "internal": "系统出错，操作未执行，请稍后再试。",
    "too_large": "提交的内容过大。",
    "method_not_allowed": "不支持此操作。",
    "unauthorized": "请先登录。",
}


@dataclass(frozen=True)
class Bilingual:
    """Base of every page's words: Chinese unless the page asked for English."""

    lang: str

    def _pick(self, pair: Pair | None, fallback: str) -> str:
        if pair is None:
            return fallback
        return pair[1] if self.lang == "en" else pair[0]


def local_time(value: str | None) -> str:
    """An ISO timestamp from a view as Shanghai local time, to the minute."""
    if not value:
        return "—"
    return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Words(Bilingual):
    """The labels of one language; templates call it as ``t('key')``."""

    def __call__(self, key: str) -> str:
        return self._pick(TEXT.get(key), key)

    def activity_kind(self, kind: str) -> str:
        return self._pick(ACTIVITY_KINDS.get(kind), kind)

    def unit_kind(self, kind: str) -> str:
        return self._pick(UNIT_KINDS.get(kind), kind)

    def level(self, level: str) -> str:
        return self._pick(LEVELS.get(level), level)

    def field(self, name: str) -> str:
        return self._pick(FIELDS.get(name), name)

    def explain(self, code: str, message: str) -> str:
        """An error's message for a page: as the service said it in English, else in Chinese by code."""
        return message if self.lang == "en" else EXPLANATIONS.get(code, "")

    def status(self, status: int) -> str:
        return self(f"e{status}") if f"e{status}" in TEXT else self("error")

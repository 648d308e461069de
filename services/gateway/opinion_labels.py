"""Words on the opinion pages: the glossary's terms in Chinese by default, English with ``?lang=en``."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.labels import Bilingual, Pair

WORDS: dict[str, Pair] = {
    "opinion": ("舆情", "Public opinion"),
    "period": ("统计期间", "Period"),
    "show": ("查看", "Show"),
    "items": ("监测条目", "Items monitored"),
    "awaiting_grading": ("待研判", "Awaiting grading"),
    "dismissed": ("研判无关", "Not relevant"),
    "incidents": ("舆情事件", "Incidents"),
    "open": ("未办结", "Open"),
    "overdue": ("逾期", "Overdue"),
    "supervised": ("督办中", "Supervised"),
    "ever_overdue": ("曾逾期", "Ever overdue"),
    "own": ("本级", "This unit"),
    "subtree": ("含下级", "Incl. subunits"),
    "children": ("下级单位", "Subunits"),
    "hours": ("用时（小时）", "Time taken (hours)"),
    "median": ("中位数", "Median"),
    "p90": ("90分位", "90th percentile"),
    "count": ("件数", "Cases"),
    "acknowledge": ("签收", "Acknowledge"),
    "first_response": ("首次回应", "First response"),
    "close": ("办结", "Close"),
    "cases": ("案件", "Cases"),
    "no_cases": ("暂无案件。", "No cases."),
    "title": ("标题", "Title"),
    "state": ("状态", "State"),
    "severity": ("等级", "Severity"),
    "handler": ("承办单位", "Handled by"),
    "captured": ("监测时间", "Captured"),
    "drill": ("演练", "Drill"),
    "deadlines": ("时限", "Deadlines"),
    "estimated": ("（按工作日估算）", " (weekdays only: calendar not yet announced)"),
    "timeline": ("办理过程", "Timeline"),
    "when": ("时间", "When"),
    "what": ("事项", "What"),
    "who": ("操作人", "Who"),
    "unit": ("单位", "Unit"),
    "details": ("内容", "Details"),
    "source": ("来源", "Source"),
    "excerpt": ("摘要", "Excerpt"),
    "desk": ("研判交办单位", "Coordinating unit"),
    "supervisor": ("督办单位", "Supervised by"),
    "owning_unit": ("责任单位", "Owning unit"),
    "reported_unit": ("监测单位", "Reported by"),
}
STATES: dict[str, Pair] = {
    "reported": ("待研判", "Reported"),
    "graded": ("待派单", "Graded"),
    "assigned": ("待签收", "Assigned"),
    "acknowledged": ("已签收", "Acknowledged"),
    "disposing": ("处置中", "Disposing"),
    "feedback_given": ("已反馈", "Feedback given"),
    "closed": ("已办结", "Closed"),
    "dismissed": ("无关", "Not relevant"),
}
SEVERITIES: dict[str, Pair] = {
    "I": ("特别重大(I)", "I (most severe)"),
    "II": ("重大(II)", "II"),
    "III": ("较大(III)", "III"),
    "IV": ("一般(IV)", "IV"),
}
EVENTS: dict[str, Pair] = {
    "reported": ("监测上报", "Reported"),
    "graded": ("研判", "Graded"),
    "assigned": ("派单", "Assigned"),
    "acknowledged": ("签收", "Acknowledged"),
    "action_recorded": ("处置", "Action"),
    "feedback_given": ("反馈", "Feedback"),
    "closed": ("办结", "Closed"),
    "reopened": ("重新办理", "Reopened"),
    "returned": ("退单", "Returned"),
    "escalated": ("升级/上报", "Escalated"),
    "extension_requested": ("申请延期", "Extension asked"),
    "extension_decided": ("延期审批", "Extension decided"),
    "overdue": ("逾期", "Overdue"),
    "chase_issued": ("催办", "Chased"),
    "supervision_started": ("督办", "Supervised"),
}
NAMES: dict[str, dict[str, Pair]] = {"state": STATES, "severity": SEVERITIES, "event": EVENTS}


@dataclass(frozen=True)
class OpinionWords(Bilingual):
    """The opinion pages' labels: ``o('key')`` or ``o.name('state', value)``; Chinese unless ``en``."""

    def __call__(self, key: str) -> str:
        return self._pick(WORDS.get(key), key)

    def name(self, group: str, value: str | None) -> str:
        return self._pick(NAMES[group].get(value or ""), value or "—")

"""Words on the assessment pages and in the bulletin workbook: the glossary's terms in Chinese by default,
English with ``?lang=en``."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.units import Level
from services.gateway.labels import Bilingual, Pair

WORDS: dict[str, Pair] = {
    "assessment": ("考核", "Assessment"),
    "period": ("考核期间", "Period"),
    "show": ("查看", "Show"),
    "score": ("得分", "Score"),
    "own": ("本级得分", "Own score"),
    "total": ("综合得分", "Total"),
    "vetoed": ("一票否决", "Vetoed"),
    "rank": ("排名", "Rank"),
    "frozen": ("已通报（成绩冻结）", "Published (frozen)"),
    "provisional": ("暂定成绩，随数据更新", "Provisional: changes as facts arrive"),
    "provisional_ranks": ("暂定排名", "Provisional ranks"),
    "bulletin_ranks": ("通报排名", "Ranks from the bulletin"),
    "no_score": ("本期尚无得分。", "No score for this period yet."),
    "explanation": ("评分明细", "How the score was made"),
    "item": ("项目", "Item"),
    "kind": ("类别", "Kind"),
    "inputs": ("依据", "Inputs"),
    "points": ("得分", "Points"),
    "max_points": ("分值", "Out of"),
    "note": ("说明", "Note"),
    "facts": ("事实", "Facts"),
    "applicable": ("本期考核分值", "Points assessed this period"),
    "scale": ("折算系数", "Scale"),
    "rollup": ("本级与下级权重", "Own and subunit weights"),
    "scheme_version": ("指标体系版本", "Scheme version"),
    "children": ("下级单位排名", "Subunits ranked"),
    "no_children": ("没有已评分的下级单位。", "No scored subunits."),
    "trend": ("年内走势", "Over the year"),
    "bulletins": ("考核通报", "Bulletins"),
    "no_bulletins": ("尚无通报。", "No bulletins yet."),
    "bulletin": ("考核通报", "Bulletin"),
    "title": ("标题", "Title"),
    "version": ("版本", "Version"),
    "published": ("发布时间", "Published"),
    "appeal_deadline": ("申诉截止", "Appeal deadline"),
    "reissued_for": ("因申诉重新发布", "Re-issued after appeal"),
    "versions": ("其他版本", "Versions"),
    "download": ("下载", "Download"),
    "unit": ("单位", "Unit"),
    "code": ("单位代码", "Code"),
    "ranked_under": ("排名范围", "Ranked under"),
    "yes": ("是", "yes"),
    "by": ("发布单位", "Published by"),
}
KINDS: dict[str, Pair] = {
    "indicators": ("指标", "Indicators"),
    "deductions": ("扣分", "Deductions"),
    "bonuses": ("加分", "Bonuses"),
    "vetoes": ("一票否决", "Vetoes"),
    "adjustments": ("调整", "Adjustments"),
    "quota": ("任务完成", "Quota"),
    "rate": ("比率", "Rate"),
    "coverage": ("覆盖率", "Coverage"),
    "manual": ("人工评分", "Manual"),
    "deduction": ("扣分", "Deduction"),
    "bonus": ("加分", "Bonus"),
    "veto": ("一票否决", "Veto"),
    "adjustment": ("调整", "Adjustment"),
}
LEVELS: dict[str, Pair] = {
    Level.CITY: ("市级", "City"),
    Level.COUNTY: ("县(区)级", "Counties"),
    Level.TOWNSHIP: ("乡镇(街道)级", "Townships"),
}


@dataclass(frozen=True)
class AssessmentWords(Bilingual):
    """The assessment pages' labels: ``a('key')``, ``a.kind(value)``, ``a.level(value)``."""

    def __call__(self, key: str) -> str:
        return self._pick(WORDS.get(key), key)

    def kind(self, value: str) -> str:
        return self._pick(KINDS.get(value), value)

    def level(self, value: str) -> str:
        return self._pick(LEVELS.get(value), value)

"""Assessment context (考核): schemes as versioned data, explainable period scores per unit, adjustments,
bulletins ranking peers at each level (月调度、季通报、年考核), and appeals that re-issue a bulletin.
Import from here: ``from contracts.assessment import ScoreComputed``."""

from __future__ import annotations

from contracts.assessment.commands import (
    AdjustScore,
    AdoptScheme,
    DecideAppeal,
    EnterManualScore,
    FileAppeal,
    PublishBulletin,
)
from contracts.assessment.events import (
    AppealDecided,
    AppealFiled,
    BulletinPublished,
    BulletinRow,
    ManualScoreEntered,
    SchemeAdopted,
    ScoreAdjusted,
    ScoreComputed,
)
from contracts.assessment.periods import PeriodLabel
from contracts.assessment.scheme import (
    INTERVAL_METRICS,
    METRIC_ATTRS,
    Bonus,
    Coverage,
    Deduction,
    Group,
    Manual,
    Measure,
    Metric,
    Quota,
    Rate,
    Rollup,
    Scheme,
    SectionKind,
    Selector,
    Veto,
)
from contracts.assessment.scores import ChildScore, Explanation, FactRef, Line, UnitScore

__all__ = [
    "INTERVAL_METRICS",
    "METRIC_ATTRS",
    "AdjustScore",
    "AdoptScheme",
    "AppealDecided",
    "AppealFiled",
    "Bonus",
    "BulletinPublished",
    "BulletinRow",
    "ChildScore",
    "Coverage",
    "DecideAppeal",
    "Deduction",
    "EnterManualScore",
    "Explanation",
    "FactRef",
    "FileAppeal",
    "Group",
    "Line",
    "Manual",
    "ManualScoreEntered",
    "Measure",
    "Metric",
    "PeriodLabel",
    "PublishBulletin",
    "Quota",
    "Rate",
    "Rollup",
    "Scheme",
    "SchemeAdopted",
    "ScoreAdjusted",
    "ScoreComputed",
    "SectionKind",
    "Selector",
    "UnitScore",
    "Veto",
]

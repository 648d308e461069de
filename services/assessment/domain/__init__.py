"""Assessment's rules, pure (no I/O, no clock): schemes, score sheets, bulletins, appeals, the facts
scores rest on and the scoring itself, one module each; the decide/evolve pairs are re-exported here."""

from services.assessment.domain.appeals import AppealState, decide_appeal, decide_file_appeal, evolve_appeal
from services.assessment.domain.bulletins import (
    BulletinState,
    appeal_deadline,
    evolve_bulletin,
    refuse_republish,
)
from services.assessment.domain.schemes import SchemeBook, decide_adopt, evolve_schemes
from services.assessment.domain.sheets import (
    ScoreSheet,
    decide_adjust,
    decide_manual,
    evolve_sheet,
    refuse_if_frozen,
)

__all__ = [
    "AppealState",
    "BulletinState",
    "SchemeBook",
    "ScoreSheet",
    "appeal_deadline",
    "decide_adjust",
    "decide_adopt",
    "decide_appeal",
    "decide_file_appeal",
    "decide_manual",
    "evolve_appeal",
    "evolve_bulletin",
    "evolve_schemes",
    "evolve_sheet",
    "refuse_if_frozen",
    "refuse_republish",
]

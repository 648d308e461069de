"""Opinion's rules, pure (no I/O, no clock): the case and its transition table (case.py, re-exported
here), the closed loop's decisions (closed_loop.py), decisions between levels (linkage.py), deadlines
and the overdue ladder (deadlines.py), the response plan and nil reports (plans.py)."""

from services.opinion.domain.case import (
    OPEN_STATES,
    TRANSITIONS,
    WORKING,
    Case,
    CaseState,
    Clock,
    Step,
    allowed_steps,
    evolve,
    level_above,
    missing_case,
    require,
    require_unit,
    strictly_within,
)

__all__ = [
    "OPEN_STATES",
    "TRANSITIONS",
    "WORKING",
    "Case",
    "CaseState",
    "Clock",
    "Step",
    "allowed_steps",
    "evolve",
    "level_above",
    "missing_case",
    "require",
    "require_unit",
    "strictly_within",
]

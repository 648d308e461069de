"""Outreach's rules, pure (no I/O, no clock): activities (re-exported here), plans and targets,
publications under 三审三校, and bulk imports, one module each."""

from services.outreach.domain.activities import (
    Activity,
    check_facts,
    decide_correct_activity,
    decide_log_activity,
    decide_void_activity,
    evolve_activity,
)

__all__ = [
    "Activity",
    "check_facts",
    "decide_correct_activity",
    "decide_log_activity",
    "decide_void_activity",
    "evolve_activity",
]

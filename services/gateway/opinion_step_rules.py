"""What a case must show, beyond its state, for the opinion domain to accept a step from a unit: the
domain's rules (services/opinion/domain/closed_loop.py, linkage.py) read off the case as the view holds
it, so that a page offers only forms the domain would take. The domain still decides every command."""

from __future__ import annotations

from typing import Any

from contracts.units import is_within
from services.opinion.domain.case import CaseState, level_above, strictly_within


def dispatching(case: dict[str, Any], unit: str) -> bool:
    """派单: the desk dispatches a graded case (an acknowledged one is the assignee's to pass down)."""
    return bool(case["state"] == CaseState.GRADED)


def passing_down(case: dict[str, Any], unit: str) -> bool:
    """转派: the assignee, once it has acknowledged the case, passes it to a unit below it."""
    return bool(case["state"] == CaseState.ACKNOWLEDGED)


def may_return(case: dict[str, Any], unit: str) -> bool:
    """退单: the assignee hands it back to the desk (not a desk that dispatched it to itself); a graded
    case's desk hands it back up only to a unit that passed it down."""
    if case["state"] == CaseState.GRADED:
        return len(case.get("dispatchers") or ()) >= 2
    return bool(case["assignee"] != case["desk"])


def may_escalate(case: dict[str, Any], unit: str) -> bool:
    """上报: only to a level above (the city bureau has none)."""
    return level_above(unit) is not None


def may_reopen(case: dict[str, Any], unit: str) -> bool:
    """Reopening: the desk or a level above it."""
    return is_within(case["desk"], unit)


def may_supervise(case: dict[str, Any], unit: str) -> bool:
    """督办: a level above the unit handling the case, and not under the current supervisor."""
    handler = case["assignee"] or case["desk"]
    supervisor = case.get("supervisor")
    return strictly_within(handler, unit) and not (supervisor and is_within(unit, supervisor))


def may_ask_extension(case: dict[str, Any], unit: str) -> bool:
    """延期申请: one request at a time, for a case with a close deadline to move."""
    return case.get("pending_extension") is None and "close" in (case.get("deadlines") or {})


def may_decide_extension(case: dict[str, Any], unit: str) -> bool:
    """延期审批: a request waits, and the deciding unit is above the assignee (the city for itself)."""
    assignee = case["assignee"]
    if case.get("pending_extension") is None or not assignee:
        return False
    return strictly_within(assignee, unit) or (level_above(assignee) is None and unit == assignee)

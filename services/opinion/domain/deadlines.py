"""Deadlines and the overdue ladder, pure.

Limits come from the response plan version a case was graded under. When a deadline passes unmet,
its timer fires: an overdue notice and a chase (催办) to the unit that had to meet it. If anything is
still overdue after the plan's ``supervise_after``, the level above that unit supervises (督办); after
each further ``escalate_after``, supervision moves one level up (升级) — township → county → city —
for as long as something stays overdue. Meeting the deadlines (or closing) stops the ladder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.opinion import (
    ChaseIssued,
    DeadlineKind,
    Due,
    Limit,
    OpinionEscalated,
    OpinionOverdue,
    SeverityLimits,
    SupervisionStarted,
)
from contracts.registry import DomainEvent
from services.eventkit.localtime import SHANGHAI
from services.eventkit.workdays import hours_deadline, workday_deadline
from services.opinion.domain.case import Case, level_above, strictly_within

DEADLINE_TIMER = "opinion.deadline"
LADDER_TIMER = "opinion.ladder"
# A loop recorded after the fact arrives step by step, seconds apart, each step saying when it happened.
# A deadline already past when its step is recorded is judged only after this grace, so that the next
# step, recorded moments later and perhaps stated in time, is judged by when it happened, not by the order
# in which a back-filler typed it. Deadlines armed as things happen are in the future and unaffected.
BACKFILL_GRACE = timedelta(minutes=15)
DEADLINE_LABELS = {
    DeadlineKind.ACKNOWLEDGE: "签收",
    DeadlineKind.FIRST_RESPONSE: "首次回应",
    DeadlineKind.CLOSE: "办结",
}


def due_after(start: datetime, limit: Limit) -> Due:
    """When ``limit`` runs out if it starts at ``start``: clock hours, or to the end of the n-th working day."""
    if limit.hours is not None:
        deadline = hours_deadline(start, limit.hours)
    else:
        assert limit.workdays is not None  # the contract requires exactly one
        deadline = workday_deadline(start, limit.workdays)
    return Due(due_at=deadline.due_at.astimezone(UTC), estimated=deadline.estimated)


def extended(due: datetime, workdays: int) -> Due:
    """A close deadline moved on by ``workdays`` working days (to the end of that day)."""
    return due_after(due, Limit(workdays=workdays))


def local_text(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def next_rung(case: Case) -> tuple[str, str] | None:
    """The ladder's next step: ('supervise', level above the handler) when nobody above supervises yet,
    else ('escalate', the level above the supervisor); None at the top."""
    if case.supervisor is None or not strictly_within(case.handler, case.supervisor):
        above = level_above(case.handler)
        return ("supervise", above) if above else None
    above = level_above(case.supervisor)
    return ("escalate", above) if above else None


def decide_deadline_missed(
    case: Case, kind: DeadlineKind, now: datetime, limits: SeverityLimits
) -> list[DomainEvent]:
    """A deadline's timer fired: if it is still running and past, say so, chase, and start the ladder."""
    clock = case.deadlines.get(kind)
    if not case.is_open or clock is None or clock.missed or clock.due_at > now:
        return []
    handler = case.handler
    chaser = level_above(handler) or handler
    next_step_at = None
    rung = next_rung(case)
    if case.ladder_at is None and rung is not None:  # one ladder per case, whatever is overdue
        wait = limits.supervise_after if rung[0] == "supervise" else limits.escalate_after
        next_step_at = due_after(now, wait).due_at
    label = DEADLINE_LABELS[kind]
    common: dict[str, Any] = {"case_id": case.case_id, "drill": case.drill, "deadline": kind}
    return [
        OpinionOverdue(**common, due_at=clock.due_at, unit=handler, next_step_at=next_step_at),
        ChaseIssued(
            **common,
            to_unit=handler,
            by_unit=chaser,
            message=f"{label}时限（{local_text(clock.due_at)}）已过，请立即办理",
        ),
    ]


def decide_ladder_step(case: Case, now: datetime, limits: SeverityLimits) -> list[DomainEvent]:
    """The ladder's timer fired: while something is still overdue, supervision climbs one level."""
    overdue = case.overdue()
    rung = next_rung(case)
    if not case.is_open or not overdue or case.ladder_at is None or case.ladder_at > now or rung is None:
        return []
    step, unit = rung
    further = level_above(unit) is not None
    next_step_at = due_after(now, limits.escalate_after).due_at if further else None
    reason = "逾期未办：" + "、".join(DEADLINE_LABELS[kind] for kind in overdue)
    if step == "supervise":
        return [
            SupervisionStarted(
                case_id=case.case_id,
                drill=case.drill,
                supervisor=unit,
                reason=reason,
                automatic=True,
                next_step_at=next_step_at,
            )
        ]
    assert case.supervisor is not None
    return [
        OpinionEscalated(
            case_id=case.case_id,
            drill=case.drill,
            from_unit=case.supervisor,
            to_unit=unit,
            reason=reason,
            automatic=True,
            next_step_at=next_step_at,
        )
    ]


@dataclass(frozen=True)
class WantedTimer:
    kind: str
    due_at: datetime
    payload: dict[str, Any]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def fire_at(due_at: datetime, now: datetime) -> datetime:
    """When a timer for ``due_at`` armed at ``now`` fires: at the deadline, or for one already past (a
    back-filled step), BACKFILL_GRACE after it was recorded."""
    return due_at if due_at > now else now + BACKFILL_GRACE


def wanted_timers(case: Case) -> dict[str, WantedTimer]:
    """The timers a case needs right now, by id. The id carries the due moment, so a moved deadline is a
    new timer (a fired id is never re-armed) and the old one is cancelled."""
    if not case.is_open:
        return {}
    wanted = {
        f"opinion:{case.case_id}:{kind.value}@{_stamp(clock.due_at)}": WantedTimer(
            DEADLINE_TIMER, clock.due_at, {"case_id": case.case_id, "deadline": kind.value}
        )
        for kind, clock in case.deadlines.items()
        if not clock.missed
    }
    if case.ladder_at is not None:
        wanted[f"opinion:{case.case_id}:ladder@{_stamp(case.ladder_at)}"] = WantedTimer(
            LADDER_TIMER, case.ladder_at, {"case_id": case.case_id}
        )
    return wanted

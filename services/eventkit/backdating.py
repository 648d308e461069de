"""The rules every stated fact shares, pure: when it happened (not in the future, not before what it
follows), and older than BACKDATE_DAYS only with a reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.occurrence import BACKDATE_DAYS
from services.eventkit.errors import DomainError
from services.eventkit.localtime import local_date

CLOCK_SKEW = timedelta(minutes=5)  # a stated time a little ahead of our clock is the sender's clock


def days_back(happened_on: date, recorded_on: date) -> int:
    """How many local days after it happened a fact was recorded (0 on the day)."""
    return max((recorded_on - happened_on).days, 0)


def is_back_dated(happened_on: date, recorded_on: date) -> bool:
    """Whether an entry counts as back-dated (补录): recorded more than BACKDATE_DAYS after the fact."""
    return days_back(happened_on, recorded_on) > BACKDATE_DAYS


def check_backdating(happened_on: date, today: date, reason: str | None, *, field: str) -> None:
    """Refuse a fact older than BACKDATE_DAYS that gives no reason; ``field`` names its date."""
    if is_back_dated(happened_on, today) and not reason:
        days = days_back(happened_on, today)
        raise DomainError(
            f"{field} {happened_on} is {days} days ago, more than {BACKDATE_DAYS}: "
            "a back-dated entry (补录) needs a backdate_reason",
            field="backdate_reason",
            rule="backdated_without_reason",
            params={"date": happened_on, "days": days, "limit": BACKDATE_DAYS},
        )


def happened_at(
    stated: datetime | None,
    now: datetime,
    reason: str | None,
    *,
    not_before: datetime | None = None,
    follows: str = "the step before it",
) -> datetime:
    """When a stated fact happened: ``stated`` if given and valid, else now. Refused in the future (beyond
    CLOCK_SKEW), before ``not_before`` (what it ``follows``), and back-dated without a reason."""
    if stated is None:
        return now
    if stated > now + CLOCK_SKEW:
        raise DomainError(
            f"occurred_at {stated.isoformat()} is in the future",
            field="occurred_at",
            rule="occurred_in_future",
            params={"occurred_at": stated.isoformat()},
        )
    if not_before is not None and stated < not_before:
        raise DomainError(
            f"occurred_at {stated.isoformat()} is before {follows} ({not_before.isoformat()}):"
            " facts are recorded in the order they happened",
            field="occurred_at",
            rule="occurred_out_of_order",
            params={"occurred_at": stated.isoformat(), "previous": not_before.isoformat()},
        )
    check_backdating(local_date(stated), local_date(now), reason, field="occurred_at")
    return stated

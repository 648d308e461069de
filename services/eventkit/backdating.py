"""The back-dating rule every recorded fact shares, pure: older than BACKDATE_DAYS needs a reason."""

from __future__ import annotations

from datetime import date

from contracts.occurrence import BACKDATE_DAYS
from services.eventkit.errors import DomainError


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
        )

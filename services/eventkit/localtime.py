"""Local time for periods and deadlines: Asia/Shanghai, never naive UTC dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_date(moment: datetime) -> date:
    """The calendar day in Asia/Shanghai at ``moment`` (which must carry a timezone)."""
    return moment.astimezone(SHANGHAI).date()

"""A case deadline as people say it: 剩余3个工作日, 今日到期, 已超期2个工作日 — counted in working days of the
statutory calendar (services.eventkit.workdays), in Shanghai local dates."""

from __future__ import annotations

from datetime import datetime

from services.eventkit.localtime import local_date
from services.eventkit.workdays import workdays_between
from services.gateway.catalog import Messages


def deadline_words(due_at: str, now: datetime, lang: str) -> str:
    """How much time a deadline leaves, or by how much it is missed, in working days."""
    words = Messages(lang, "opinion.")
    due = datetime.fromisoformat(due_at)
    today, due_day = local_date(now), local_date(due)
    if now <= due:
        left = workdays_between(today, due_day)
        return words("due_in", days=left) if left else words("due_today")
    late = workdays_between(due_day, today)
    return words("overdue_by", days=late) if late else words("overdue_today")

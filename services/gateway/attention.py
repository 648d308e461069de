"""The unit page's "needs attention" panel (待办): for the unit's subtree, counts of what needs someone now,
each linking to the list or page that shows the records behind it. Each count comes from the query whose
list it links to, so the two cannot disagree; projection.attention answers what no list query does
(plan versus actual now, the opinion loop by state and severity)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from services.eventkit.client import SanjiClient
from services.gateway.reads import query
from services.gateway.views import link

WAITING_REVIEW = ("awaiting_first", "awaiting_second", "awaiting_third")  # 三审三校's three stages
PLAN_ANCHOR = "chart-plan-children"  # the unit page's own table of plan versus actual


@dataclass(frozen=True)
class Item:
    """One line of the panel: ``key`` names it in the catalog (``attention.<key>``), ``href`` the list
    behind a count above zero (None for zero: nothing to open)."""

    key: str
    count: int
    href: str | None


async def unit_attention(sanji: SanjiClient, path: str, lang: str, **written: Any) -> dict[str, Any]:
    """The panel's items, the waiting appeals and projection.attention's answer (plan and funnel);
    ``written``: ``after``, the activity form's write, which the plan waits for (read-your-writes)."""
    cases = "projection.opinion.cases"
    overdue, supervised, duty, outreach, appeals, found = await asyncio.gather(
        query(sanji, cases, {"path": path, "filter": "overdue", "limit": 1}),
        query(sanji, cases, {"path": path, "filter": "supervised", "limit": 1}),
        query(sanji, "projection.duty.unit", {"path": path}),
        query(sanji, "projection.outreach.summary", {"path": path, **written}),
        query(sanji, "projection.assessment.appeals", {"path": path, "state": "filed"}),
        query(sanji, "projection.attention", {"path": path, **written}),
    )
    rectifications = duty["subtree"]["rectifications"]
    by_status = outreach["publications"]["by_status"]
    counts = [
        (
            "overdue_cases",
            int(overdue["total"]),
            link(f"/opinion/units/{path}/cases", lang, filter="overdue"),
        ),
        (
            "supervised_cases",
            int(supervised["total"]),
            link(f"/opinion/units/{path}/cases", lang, filter="supervised"),
        ),
        ("coverage_gaps", duty["subtree"]["coverage_gaps"], link(f"/duty/units/{path}", lang) + "#gaps"),
        (
            "rectifications_open",
            rectifications["open"],
            link(f"/duty/units/{path}", lang) + "#rectifications",
        ),
        (
            "rectifications_overdue",
            rectifications["overdue"],
            link(f"/duty/units/{path}", lang) + "#rectifications",
        ),
        (
            "plan_shortfalls",
            sum(1 for row in found["plan"] if row["behind"]),
            link(f"/units/{path}", lang) + f"#{PLAN_ANCHOR}",
        ),
        (
            "publications_waiting",
            sum(by_status.get(status, 0) for status in WAITING_REVIEW),
            link(f"/outreach/units/{path}/publications", lang),
        ),
        (
            "appeals_waiting",
            int(appeals["total"]),
            link(f"/assessment/units/{path}/appeals", lang, state="filed"),
        ),
    ]
    items = [Item(key, count, href if count else None) for key, count, href in counts]
    return {
        "items": items,
        "any": any(item.count for item in items),
        "appeals": appeals["appeals"],
        "plan": found["plan"],
        "funnel": found["funnel"],
        "year": found["year"],
        "today": found["today"],
    }

"""The summary's figures of oversight: outlets set up, closed and inspected, rectifications, opinion
items and incidents with response times, opinion drills, and the assessment's score and rank."""

from __future__ import annotations

from typing import Any

from contracts.duty.outlets import OutletKind
from contracts.opinion.common import Severity
from services.eventkit.db import Conn
from services.projection.params import within
from services.projection.queries import SCHEMA
from services.projection.summary_figures import LOCAL_DAY, Asked, Figures, figure, one

S = SCHEMA


async def outlets(conn: Conn, asked: Asked) -> Figures:
    set_up = await conn.fetch(
        f"SELECT kind, count(*) AS n FROM {S}.duty_outlets WHERE {within('unit')}"
        " AND registered_on BETWEEN $2 AND $3 GROUP BY kind",
        asked.path,
        *asked.days,
    )
    closed = await conn.fetch(
        f"SELECT o.kind, count(DISTINCT o.outlet_id) AS n FROM {S}.duty_history h"
        f" JOIN {S}.duty_outlets o ON h.subject = 'outlet:' || o.outlet_id WHERE h.attribute = 'status'"
        f" AND h.value = 'closed' AND h.valid_from BETWEEN $2 AND $3 AND {within('o.unit')} GROUP BY o.kind",
        asked.path,
        *asked.days,
    )
    inspected = await conn.fetch(
        f"SELECT o.kind, count(DISTINCT o.outlet_id) AS n FROM {S}.duty_inspections i"
        f" CROSS JOIN unnest(i.outlets_checked) AS c(outlet_id) JOIN {S}.duty_outlets o ON o.outlet_id = c.outlet_id"
        f" WHERE {within('i.unit')} AND i.inspected_on BETWEEN $2 AND $3 GROUP BY o.kind",
        asked.path,
        *asked.days,
    )
    inspections = await conn.fetchval(
        f"SELECT count(*) FROM {S}.duty_inspections WHERE {within('unit')} AND inspected_on BETWEEN $2 AND $3",
        asked.path,
        *asked.days,
    )
    kinds = [kind.value for kind in OutletKind]
    found = [figure("outlets", "inspections", inspections, asked.link("duty.inspections", period=None))]
    for name, rows, query in (
        ("set_up", set_up, "duty.outlets"),
        ("closed", closed, "duty.outlets"),
        ("inspected", inspected, "duty.inspections"),
    ):
        counts = {row["kind"]: row["n"] for row in rows}
        additive = name != "inspected"  # an outlet inspected in two quarters is one outlet in the year

        def link(kind: str | None = None, query: str = query) -> dict[str, Any]:
            return asked.link(query, period=None, kind=kind if query == "duty.outlets" else None)

        found.append(figure("outlets", name, sum(counts.values()), link(), additive=additive))
        found += [
            figure("outlets", name, counts.get(kind, 0), link(kind), by="kind", key=kind, additive=additive)
            for kind in kinds
        ]
    return found


async def rectifications(conn: Conn, asked: Asked) -> Figures:
    opened, closed = LOCAL_DAY.format(column="opened_at"), LOCAL_DAY.format(column="closed_at")
    row = await one(
        conn,
        f"SELECT count(*) FILTER (WHERE {opened} BETWEEN $2 AND $3) AS opened,"
        f" count(*) FILTER (WHERE {closed} BETWEEN $2 AND $3 AND NOT late) AS closed_on_time,"
        f" count(*) FILTER (WHERE {closed} BETWEEN $2 AND $3 AND late) AS closed_late"
        f" FROM {S}.duty_rectifications WHERE {within('unit')}",
        asked.path,
        *asked.days,
    )
    link = asked.link("duty.rectifications", period=None)
    return [
        figure("rectifications", name, row[name], link)
        for name in ("opened", "closed_on_time", "closed_late")
    ]


HOURS = {
    "first_response_hours": "c.first_action_at - c.graded_at",
    "close_hours": "c.closed_at - c.graded_at",
}


def _median_hours(interval: str) -> str:
    return (
        f"round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM {interval}))"
        f" FILTER (WHERE {interval} IS NOT NULL) / 3600)::numeric, 2)::float8"
    )


async def opinion(conn: Conn, asked: Asked) -> Figures:
    """Items monitored (reported in the subtree), incidents (relevant, owned there) by severity with the
    median hours from grading to first action and to closing, on when each step happened. Drills apart."""
    monitored = await one(
        conn,
        f"SELECT count(*) FILTER (WHERE NOT drill) AS items, count(*) FILTER (WHERE drill) AS drills"
        f" FROM {S}.opinion_cases WHERE {within('reported_unit')} AND captured_on BETWEEN $2 AND $3",
        asked.path,
        *asked.days,
    )
    medians = ", ".join(f"{_median_hours(interval)} AS {name}" for name, interval in HOURS.items())
    incidents = await conn.fetch(
        f"SELECT grouping(c.severity) AS whole, c.severity, count(*) AS incidents, {medians}"
        f" FROM {S}.opinion_cases c WHERE NOT c.drill AND c.relevant AND {within('c.owning_unit')}"
        " AND c.captured_on BETWEEN $2 AND $3 GROUP BY ROLLUP (c.severity)",
        asked.path,
        *asked.days,
    )
    link = asked.link("opinion.cases")
    whole = next((row for row in incidents if row["whole"]), None)
    found = [
        figure("opinion", "items", monitored["items"], link),
        figure("opinion", "incidents", whole["incidents"] if whole else 0, link),
        *[figure("opinion", name, whole[name] if whole else None, link, additive=False) for name in HOURS],
    ]
    for severity in (s.value for s in Severity):
        row = next((r for r in incidents if not r["whole"] and r["severity"] == severity), None)
        found.append(
            figure("opinion", "incidents", row["incidents"] if row else 0, link, by="severity", key=severity)
        )
        found += [
            figure(
                "opinion", name, row[name] if row else None, link, by="severity", key=severity, additive=False
            )
            for name in HOURS
        ]
    found.append(
        figure("drills", "opinion_drills", monitored["drills"], asked.link("opinion.cases", filter="drill"))
    )
    return found


async def assessment(conn: Conn, asked: Asked) -> Figures:
    row = await conn.fetchrow(
        f"SELECT own, total, rank FROM {S}.assessment_scores WHERE unit = $1 AND period = $2",
        asked.path,
        asked.period.label,
    )
    link = asked.link("assessment.unit")
    return [
        figure("assessment", name, row[name] if row else None, link, additive=False)
        for name in ("total", "own", "rank")
    ]

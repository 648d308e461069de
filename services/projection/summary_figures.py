"""The summary's figures of the outreach records (activities, meetings, surveys, awards, publications,
information submissions, drills), one function per section, each read from the view tables of one subtree and one period (local
dates); what every section shares (Asked, figure). Duty's, opinion's and assessment's are in
summary_oversight.py. A section answers bare figures; summary_queries.py adds the previous period,
the plan and the not-recorded list. Rolled-up monthly counters are read at the unit's own path; the
record tables are summed over the subtree by path range (params.within)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from contracts.outreach import ActivityKind, PublicationKind
from contracts.outreach_meetings import MeetingKind
from contracts.outreach_records import AwardKind
from contracts.outreach_submissions import SubmissionLevel
from services.eventkit.db import Conn
from services.eventkit.periods import Period
from services.projection.params import within
from services.projection.queries import SCHEMA
from services.projection.submissions_queries import officer_day, without_officer

S = SCHEMA
LOCAL_DAY = "(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
Figures = list[dict[str, Any]]


@dataclass(frozen=True)
class Asked:
    """One subtree and one period: what every section reads."""

    path: str
    period: Period

    @property
    def months(self) -> list[date]:
        return [date(year, month, 1) for year, month in self.period.months]

    @property
    def days(self) -> tuple[date, date]:
        return self.period.first_day, self.period.last_day

    def link(self, query: str, **params: Any) -> dict[str, Any]:
        found = {"path": self.path, "period": self.period.label} | params
        return {"query": query, "params": {k: v for k, v in found.items() if v is not None}}


def figure(
    section: str,
    name: str,
    value: float | None,
    link: dict[str, Any],
    *,
    by: str | None = None,
    key: str | None = None,
    label: str | None = None,
    additive: bool = True,
) -> dict[str, Any]:
    return {
        "section": section,
        "name": name,
        "by": by,
        "key": key,
        "label": label,
        "value": value,
        "additive": additive,
        "link": link,
    }


async def one(conn: Conn, sql: str, *args: Any) -> asyncpg.Record:
    """The one row an aggregate without GROUP BY always answers."""
    row = await conn.fetchrow(sql, *args)
    assert row is not None
    return row


def by_key(
    section: str,
    name: str,
    keys: Iterable[str],
    found: dict[str, int],
    *,
    link: Callable[[str], Any],
    by: str = "kind",
) -> Figures:
    """A figure for every key (every kind, even one with nothing in the period: a recorded zero)."""
    return [figure(section, name, found.get(key, 0), link(key), by=by, key=key) for key in keys]


async def activities(conn: Conn, asked: Asked) -> Figures:
    rows = await conn.fetch(
        f"SELECT kind, sum(subtree_activities)::bigint AS n, sum(subtree_audience)::bigint AS people"
        f" FROM {S}.outreach_monthly WHERE path = $1 AND month = ANY($2::date[]) GROUP BY kind",
        asked.path,
        asked.months,
    )
    subtypes = await conn.fetch(
        f"SELECT m.kind, m.subtype, t.name, sum(m.subtree_activities)::bigint AS n,"
        f" sum(m.subtree_audience)::bigint AS people FROM {S}.activity_subtype_monthly m"
        f" LEFT JOIN {S}.activity_subtypes t ON t.city = split_part($1, '.', 1) AND t.kind = m.kind"
        # Named subtypes only ("of which"): activities without one are in their kind's figure already.
        " AND t.subtype = m.subtype WHERE m.path = $1 AND m.month = ANY($2::date[]) AND m.subtype <> ''"
        " GROUP BY m.kind, m.subtype, t.name HAVING sum(m.subtree_activities) > 0 ORDER BY 1, 2",
        asked.path,
        asked.months,
    )
    counts = {row["kind"]: row["n"] for row in rows}
    people = {row["kind"]: row["people"] for row in rows}
    kinds = [kind.value for kind in ActivityKind]

    def link(kind: str | None = None) -> dict[str, Any]:
        return asked.link("outreach.activities", kind=kind)

    found = [
        figure("activities", "activities", sum(counts.values()), link()),
        figure("activities", "audience", sum(people.values()), link()),
        *by_key("activities", "activities", kinds, counts, link=link),
        *by_key("activities", "audience", kinds, people, link=link),
    ]
    for row in subtypes:
        key, label = f"{row['kind']}/{row['subtype']}", row["name"]
        found.append(
            figure(
                "activities", "activities", row["n"], link(row["kind"]), by="subtype", key=key, label=label
            )
        )
        found.append(
            figure(
                "activities", "audience", row["people"], link(row["kind"]), by="subtype", key=key, label=label
            )
        )
    return found


async def meetings(conn: Conn, asked: Asked) -> Figures:
    rows = await conn.fetch(
        f"SELECT kind, sum(subtree_meetings)::bigint AS n, sum(subtree_attendance)::bigint AS people"
        f" FROM {S}.meeting_monthly WHERE path = $1 AND month = ANY($2::date[]) GROUP BY kind",
        asked.path,
        asked.months,
    )
    counts = {row["kind"]: row["n"] for row in rows}

    def link(kind: str | None = None) -> dict[str, Any]:
        return asked.link("summary.records", section="meetings", kind=kind)

    return [
        figure("meetings", "meetings", sum(counts.values()), link()),
        figure("meetings", "attendance", sum(row["people"] for row in rows), link()),
        *by_key("meetings", "meetings", [kind.value for kind in MeetingKind], counts, link=link),
    ]


async def surveys(conn: Conn, asked: Asked) -> Figures:
    row = await one(
        conn,
        f"SELECT coalesce(sum(subtree_surveys), 0)::bigint AS surveys,"
        f" coalesce(sum(subtree_problems_found), 0)::bigint AS problems_found,"
        f" coalesce(sum(subtree_problems_solved), 0)::bigint AS problems_solved"
        f" FROM {S}.survey_monthly WHERE path = $1 AND month = ANY($2::date[])",
        asked.path,
        asked.months,
    )
    link = asked.link("summary.records", section="surveys")
    return [
        figure("surveys", name, row[name], link) for name in ("surveys", "problems_found", "problems_solved")
    ]


async def awards(conn: Conn, asked: Asked) -> Figures:
    rows = await conn.fetch(
        f"SELECT kind, sum(subtree_awards)::bigint AS n FROM {S}.award_monthly"
        " WHERE path = $1 AND month = ANY($2::date[]) GROUP BY kind",
        asked.path,
        asked.months,
    )
    counts = {row["kind"]: row["n"] for row in rows}

    def link(kind: str | None = None) -> dict[str, Any]:
        return asked.link("summary.records", section="awards", kind=kind)

    return [
        figure("awards", "awards", sum(counts.values()), link()),
        *by_key("awards", "awards", [kind.value for kind in AwardKind], counts, link=link),
    ]


async def publications(conn: Conn, asked: Asked) -> Figures:
    published = (
        f"FROM {S}.outreach_publications p LEFT JOIN {S}.outreach_outlets o USING (outlet_id)"
        f" WHERE {within('p.unit')} AND p.status = 'published' AND p.published_on BETWEEN $2 AND $3"
    )
    rows = await conn.fetch(
        "SELECT p.kind, p.column_name, p.outlet_id, o.name AS outlet_name, count(*) AS n,"
        " sum(p.views)::bigint AS views,"
        " sum((SELECT count(*) FROM jsonb_object_keys(p.reviews)))::bigint AS reviews,"
        # 三校 done: all three proofreads of the round it was published in.
        " count(*) FILTER (WHERE (SELECT count(*) FROM jsonb_object_keys(p.proofreads)) >= 3) AS proofread"
        f" {published} GROUP BY 1, 2, 3, 4",
        asked.path,
        *asked.days,
    )
    link = asked.link("outreach.publications", period=None, status="published")
    kinds: dict[str, int] = {}
    columns: dict[str, int] = {}
    outlets: dict[str, tuple[str | None, int]] = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + row["n"]
        if row["column_name"]:
            columns[row["column_name"]] = columns.get(row["column_name"], 0) + row["n"]
        name, n = outlets.get(row["outlet_id"], (row["outlet_name"], 0))
        outlets[row["outlet_id"]] = (name, n + row["n"])
    found = [
        figure("publications", "published", sum(kinds.values()), link),
        figure("publications", "reviews", sum(row["reviews"] for row in rows), link),
        figure("publications", "proofread", sum(row["proofread"] for row in rows), link),
        figure("publications", "views", sum(row["views"] for row in rows), link),
        *by_key("publications", "published", [k.value for k in PublicationKind], kinds, link=lambda _: link),
    ]
    found += [
        figure("publications", "published", n, link, by="column", key=c) for c, n in sorted(columns.items())
    ]
    found += [
        figure("publications", "published", n, link, by="outlet", key=outlet, label=name)
        for outlet, (name, n) in sorted(outlets.items())
    ]
    return found


async def submissions(conn: Conn, asked: Asked) -> Figures:
    """Items sent upward and adoptions in the period, by level; the units without an information officer
    at the period's end (today while it runs), each named: not additive, a state on a day."""
    rows = await conn.fetch(
        f"SELECT level, sum(subtree_submitted)::bigint AS submitted, sum(subtree_adopted)::bigint AS adopted"
        f" FROM {S}.submission_monthly WHERE path = $1 AND month = ANY($2::date[]) GROUP BY level",
        asked.path,
        asked.months,
    )
    link = asked.link("outreach.submissions")
    levels = [level.value for level in SubmissionLevel]
    found: Figures = []
    for name in ("submitted", "adopted"):
        counts = {row["level"]: row[name] for row in rows}
        found.append(figure("submissions", name, sum(counts.values()), link))
        found += by_key("submissions", name, levels, counts, link=lambda _: link, by="level")
    day = officer_day(asked.period)
    lacking = await without_officer(conn, asked.path, day)
    posts = asked.link("duty.posts", period=None, as_of=day.isoformat(), subtree=True)
    found.append(figure("submissions", "without_officer", len(lacking), posts, additive=False))
    found += [
        figure(
            "submissions",
            "without_officer",
            1,
            posts,
            by="unit",
            key=unit["path"],
            label=unit["name"],
            additive=False,
        )
        for unit in lacking
    ]
    return found


async def drills(conn: Conn, asked: Asked) -> Figures:
    count = await conn.fetchval(
        f"SELECT coalesce(sum(subtree_activities), 0)::bigint FROM {S}.outreach_monthly"
        " WHERE path = $1 AND month = ANY($2::date[]) AND kind = $3",
        asked.path,
        asked.months,
        ActivityKind.DRILL.value,
    )
    return [
        figure("drills", "drills", count, asked.link("outreach.activities", kind=ActivityKind.DRILL.value))
    ]

"""Meeting target query (``sanji.qry.projection.outreach.meeting_targets``): the targets a unit set for
its own meetings in a year, so that the page which sets them can show them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts.queries import QUERIES as CONTRACTS
from contracts.queries.outreach import MeetingTargetsParams
from services.eventkit.db import Conn
from services.eventkit.localtime import local_date
from services.eventkit.queries import QuerySpec
from services.projection.queries import SCHEMA

PROJECTOR = "records"  # meeting targets are folded by records_projector.RecordsProjector


async def meeting_targets(conn: Conn, params: MeetingTargetsParams) -> dict[str, Any]:
    """The unit's own meeting targets of the year still in force (a count of 0 withdrew one)."""
    year = params.year or local_date(datetime.now(UTC)).year
    rows = await conn.fetch(
        f"SELECT kind, cadence, count, revision, reason, set_at FROM {SCHEMA}.meeting_targets"
        " WHERE unit = $1 AND year = $2 AND count > 0 ORDER BY kind, cadence",
        params.path,
        year,
    )
    return {
        "year": year,
        "targets": [dict(row) | {"set_at": row["set_at"].isoformat()} for row in rows],
    }


QUERIES = [QuerySpec(CONTRACTS["outreach.meeting_targets"], PROJECTOR, meeting_targets)]

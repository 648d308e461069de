"""Assessment's aggregates: where each lives (its stream) and how its events fold into state."""

from __future__ import annotations

from services.assessment.domain import (
    AppealState,
    BulletinState,
    SchemeBook,
    ScoreSheet,
    evolve_appeal,
    evolve_bulletin,
    evolve_schemes,
    evolve_sheet,
)
from services.eventkit.aggregates import AggregateSpec, aggregate, aggregate_with_ids


def scheme_stream(year: int) -> str:
    return f"scheme:{year}"


def sheet_stream(unit: str, period: str) -> str:
    return f"score:{unit}:{period}"


def bulletin_stream(unit: str, period: str) -> str:
    return f"bulletin:{unit}:{period}"


def appeal_stream(appeal_id: str) -> str:
    return f"appeal:{appeal_id}"


SCHEMES = aggregate(scheme_stream, SchemeBook, evolve_schemes)
SHEET: AggregateSpec[tuple[str, str], ScoreSheet] = aggregate_with_ids(  # keyed by (unit, period)
    lambda key: sheet_stream(*key), ScoreSheet, evolve_sheet
)
# Keyed by the stream itself: a frozen score names the bulletin stream that froze it.
BULLETIN = aggregate(lambda stream: stream, BulletinState, evolve_bulletin)
APPEAL = aggregate(appeal_stream, AppealState, evolve_appeal)

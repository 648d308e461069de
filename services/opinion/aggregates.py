"""Opinion's aggregates: where each lives (its stream) and how its events fold into state."""

from __future__ import annotations

from services.eventkit.aggregates import aggregate
from services.opinion.domain.case import Case, evolve
from services.opinion.domain.plans import Plans, evolve_plans


def case_stream(case_id: str) -> str:
    return f"opinion:{case_id}"


def plan_stream(city: str) -> str:
    return f"response_plan:{city}"


def nil_report_stream(unit: str, day: str) -> str:
    return f"nil_report:{unit}:{day}"


CASE = aggregate(case_stream, Case, evolve)
PLANS = aggregate(plan_stream, Plans, evolve_plans)  # one per city: key the city's division code

"""Duty's aggregates: where each lives (its stream) and how its events fold into state."""

from __future__ import annotations

from services.duty.domain.common import (
    cadence_stream,
    inspection_stream,
    organization_stream,
    outlet_stream,
    post_stream,
    rectification_stream,
    report_stream,
    unit_stream,
)
from services.duty.domain.inspections import (
    Inspection,
    Rectification,
    evolve_inspection,
    evolve_rectification,
)
from services.duty.domain.outlets import Outlet, evolve_outlet
from services.duty.domain.posts import Post, evolve_post
from services.duty.domain.records import (
    Cadences,
    HalfYearReport,
    Organization,
    evolve_cadences,
    evolve_organization,
    evolve_report,
)
from services.duty.domain.units import Unit, evolve_unit
from services.eventkit.aggregates import aggregate

UNIT = aggregate(unit_stream, Unit, evolve_unit)
POST = aggregate(post_stream, Post, evolve_post)
OUTLET = aggregate(outlet_stream, Outlet, evolve_outlet)
INSPECTION = aggregate(inspection_stream, Inspection, evolve_inspection)
RECTIFICATION = aggregate(rectification_stream, Rectification, evolve_rectification)
CADENCES = aggregate(cadence_stream, Cadences, evolve_cadences)
REPORT = aggregate(report_stream, HalfYearReport, evolve_report)
ORGANIZATION = aggregate(organization_stream, Organization, evolve_organization)

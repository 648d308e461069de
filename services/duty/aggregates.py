"""Duty's aggregates: where each lives (its stream) and how its events fold into state."""

from __future__ import annotations

from services.duty.domain.common import (
    inspection_stream,
    outlet_stream,
    post_stream,
    rectification_stream,
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
from services.duty.domain.units import Unit, evolve_unit
from services.eventkit.aggregates import aggregate

UNIT = aggregate(unit_stream, Unit, evolve_unit)
POST = aggregate(post_stream, Post, evolve_post)
OUTLET = aggregate(outlet_stream, Outlet, evolve_outlet)
INSPECTION = aggregate(inspection_stream, Inspection, evolve_inspection)
RECTIFICATION = aggregate(rectification_stream, Rectification, evolve_rectification)

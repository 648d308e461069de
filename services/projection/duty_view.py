"""The duty view: posts, outlets, coverage gaps, inspections and rectifications per unit and rolled
up, and the unit tree, posts, outlets and responsibility list as of any date.
Queries answer on ``sanji.qry.projection.duty.<name>``."""

from __future__ import annotations

from services.eventkit.projector import Projector
from services.eventkit.runtime import QueryHandler
from services.projection.duty_asof import duty_outlets, duty_posts, duty_responsibility_list, duty_tree
from services.projection.duty_projector import DutyProjector
from services.projection.duty_queries import duty_gaps, duty_inspections, duty_rectifications, duty_unit

PROJECTORS: list[Projector] = [DutyProjector()]
QUERIES: dict[str, QueryHandler] = {
    "duty.unit": duty_unit,
    "duty.tree": duty_tree,
    "duty.posts": duty_posts,
    "duty.outlets": duty_outlets,
    "duty.responsibility_list": duty_responsibility_list,
    "duty.gaps": duty_gaps,
    "duty.inspections": duty_inspections,
    "duty.rectifications": duty_rectifications,
}

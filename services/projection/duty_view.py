"""The duty view: posts, outlets, coverage gaps, inspections and rectifications per unit and rolled
up, and the unit tree, posts, outlets and responsibility list as of any date.
Queries answer on ``sanji.qry.projection.duty.<name>``."""

from __future__ import annotations

from contracts.queries import QUERIES as CONTRACTS
from services.eventkit.projector import Projector
from services.eventkit.queries import QuerySpec
from services.projection.duty_asof import duty_outlets, duty_posts, duty_responsibility_list, duty_tree
from services.projection.duty_obligations import duty_records
from services.projection.duty_projector import NAME, DutyProjector
from services.projection.duty_queries import duty_gaps, duty_inspections, duty_rectifications, duty_unit

PROJECTORS: list[Projector] = [DutyProjector()]
QUERIES = [
    QuerySpec(CONTRACTS[f"duty.{handler.__name__.removeprefix('duty_')}"], NAME, handler)
    for handler in (
        duty_unit,
        duty_tree,
        duty_posts,
        duty_outlets,
        duty_responsibility_list,
        duty_gaps,
        duty_inspections,
        duty_rectifications,
        duty_records,
    )
]

"""Given for publication rules (三审三校): a piece submitted by 'author' and taken through the reviews,
shared by the review tests and the proofread tests."""

from __future__ import annotations

from datetime import date
from functools import reduce
from typing import Any

from contracts.commands import Role
from contracts.outreach import ReviewPublication, SubmitPublication
from contracts.registry import DomainEvent
from services.outreach.domain.publications import (
    Outlet,
    Publication,
    decide_review,
    decide_submit,
    evolve_publication,
)

TODAY = date(2025, 6, 30)
UNIT = "3205.320506.320506001"
OUTLET = Outlet("wx-320506", "3205.320506", "active", date(2024, 1, 1))
CLERK = frozenset({Role.CLERK})
LEADER = frozenset({Role.LEADER})


def submit(**changes: Any) -> SubmitPublication:
    body = {
        "publication_id": "pub-2025-0001",
        "unit": UNIT,
        "kind": "article",
        "title": "长桥街道开展低保政策宣讲",
        "outlet_id": "wx-320506",
    }
    return SubmitPublication.model_validate(body | changes)


def review(stage: str, decision: str = "approve", **changes: Any) -> ReviewPublication:
    body = {"publication_id": "pub-2025-0001", "unit": UNIT, "stage": stage, "decision": decision}
    return ReviewPublication.model_validate(body | changes)


def play(*events: DomainEvent) -> Publication:
    return reduce(evolve_publication, events, Publication())


def submitted() -> list[DomainEvent]:
    return decide_submit(Publication(), True, OUTLET, "author", submit())


def through(*steps: tuple[str, str, frozenset[Role]]) -> list[DomainEvent]:
    """Submitted by 'author', then each (stage, reviewer, roles) approves in turn."""
    events = submitted()
    for stage, reviewer, roles in steps:
        events += decide_review(play(*events), reviewer, roles, review(stage))
    return events


APPROVED = (("first", "editor", CLERK), ("second", "head", CLERK), ("third", "leader", LEADER))

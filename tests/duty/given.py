"""Given/when/then helpers for the pure duty rules: build aggregates from the events they saw."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from contracts.duty import (
    OutletKind,
    OutletRegistered,
    PostCreated,
    PostFilled,
    PostKind,
    UnitKind,
    UnitRegistered,
)
from contracts.registry import DomainEvent
from services.duty.domain.common import Change
from services.duty.domain.outlets import Outlet, evolve_outlet
from services.duty.domain.posts import Post, evolve_post
from services.duty.domain.units import Unit, evolve_unit

S = TypeVar("S")
TODAY = date(2025, 7, 15)
SCOPE = "3205"
WUZHONG = "3205.320506"
XIANGCHENG = "3205.320507"
CHANGQIAO = "3205.320506.320506001"
GUOXIANG = "3205.320506.320506002"


def given(evolve: Callable[[S, DomainEvent], S], initial: S, *events: DomainEvent) -> S:
    state = initial
    for event in events:
        state = evolve(state, event)
    return state


def unit(path: str, name: str, kind: UnitKind, *later: DomainEvent) -> Unit:
    parent = path.rpartition(".")[0] or None
    registered = UnitRegistered(path=path, name=name, kind=kind, parent=parent)
    return given(evolve_unit, Unit(), registered, *later)


def county(path: str = WUZHONG, name: str = "吴中区民政局") -> Unit:
    return unit(path, name, UnitKind.COUNTY_OFFICE)


def township(path: str = CHANGQIAO, name: str = "长桥街道") -> Unit:
    return unit(path, name, UnitKind.TOWNSHIP_OFFICE)


def post(
    post_id: str,
    unit_path: str = WUZHONG,
    kind: PostKind = PostKind.INFORMATION_OFFICER,
    *,
    holder: tuple[str, str] | None = ("W0001", "王芳"),
    since: date = date(2025, 1, 2),
    later: Sequence[DomainEvent] = (),
) -> Post:
    events: list[DomainEvent] = [PostCreated(post_id=post_id, unit=unit_path, kind=kind, title=f"{kind}")]
    if holder:
        staff_no, name = holder
        events.append(
            PostFilled(
                post_id=post_id,
                unit=unit_path,
                kind=kind,
                staff_no=staff_no,
                person_name=name,
                effective_on=since,
            )
        )
    return given(evolve_post, Post(), *events, *later)


def outlet(
    outlet_id: str,
    owner: str,
    unit_path: str = WUZHONG,
    kind: OutletKind = OutletKind.WECHAT_ACCOUNT,
    *,
    later: Sequence[DomainEvent] = (),
) -> Outlet:
    registered = OutletRegistered(
        outlet_id=outlet_id,
        unit=unit_path,
        kind=kind,
        name=f"阵地{outlet_id}",
        owner_post_id=owner,
        effective_on=date(2025, 2, 1),
    )
    return given(evolve_outlet, Outlet(), registered, *later)


def by_stream(changes: Sequence[Change]) -> dict[str, list[DomainEvent]]:
    """Then: the events decided, per stream."""
    found: dict[str, list[DomainEvent]] = {}
    for decided in changes:
        found.setdefault(decided.stream, []).extend(decided.events)
    return found


def types(events: Sequence[DomainEvent]) -> list[str]:
    return [type(event).__name__ for event in events]

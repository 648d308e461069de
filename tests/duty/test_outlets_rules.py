"""Outlets and hand-over, given/when/then: an owner in post in the same county, statuses, gaps closed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from contracts.duty import (
    ChangeOutletOwner,
    ChangeOutletStatus,
    DutyAssigned,
    DutyHandedOver,
    GapResolution,
    HandOver,
    OutletCoverageGapClosed,
    OutletCoverageGapOpened,
    OutletKind,
    OutletOwnerChanged,
    OutletRegistered,
    OutletStatus,
    PostAbolished,
    PostKind,
    RegisterOutlet,
)
from contracts.registry import DomainEvent
from services.duty.domain.handover import decide_hand_over
from services.duty.domain.outlets import (
    Outlet,
    decide_change_outlet_owner,
    decide_change_outlet_status,
    decide_register_outlet,
    evolve_outlet,
)
from services.duty.domain.posts import Post
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from tests.duty.given import (
    CHANGQIAO,
    SCOPE,
    TODAY,
    WUZHONG,
    XIANGCHENG,
    by_stream,
    county,
    outlet,
    post,
    township,
    types,
)

ON = date(2025, 7, 1)


def register(owner: str = "p-io", unit_path: str = WUZHONG) -> RegisterOutlet:
    return RegisterOutlet(
        outlet_id="o-web",
        unit=unit_path,
        kind=OutletKind.WEBSITE,
        name="吴中民政网",
        owner_post_id=owner,
        address="https://mz.wuzhong.example",
        effective_on=ON,
    )


def test_an_outlet_registers_with_an_owner_in_post() -> None:
    events = decide_register_outlet(
        Outlet(), county(), post("p-io"), scope=SCOPE, command=register(), today=TODAY
    )
    assert events == [OutletRegistered(**register().model_dump())]


def test_no_outlet_without_an_owner_in_post() -> None:
    with pytest.raises(
        DomainError, match="is vacant: an outlet must answer to a post someone holds"
    ) as refused:
        decide_register_outlet(
            Outlet(), county(), post("p-io", holder=None), scope=SCOPE, command=register(), today=TODAY
        )
    assert refused.value.field == "owner_post_id"
    with pytest.raises(NotFound, match="post p-io does not exist"):
        decide_register_outlet(Outlet(), county(), Post(), scope=SCOPE, command=register(), today=TODAY)
    gone = PostAbolished(post_id="p-io", unit=WUZHONG, effective_on=date(2025, 3, 1), reason="撤销")
    with pytest.raises(DomainError, match="was abolished"):
        decide_register_outlet(
            Outlet(),
            county(),
            post("p-io", holder=None, later=[gone]),
            scope=SCOPE,
            command=register(),
            today=TODAY,
        )


def test_an_outlet_answers_to_a_post_in_its_own_county() -> None:
    with pytest.raises(DomainError, match=re.escape("outside the outlet's county 3205.320506")):
        decide_register_outlet(
            Outlet(), county(), post("p-io", XIANGCHENG), scope=SCOPE, command=register(), today=TODAY
        )
    # A township's outlet may answer to a post at its county office: same county.
    township_outlet = register(unit_path=CHANGQIAO)
    assert decide_register_outlet(
        Outlet(), township(), post("p-io"), scope=SCOPE, command=township_outlet, today=TODAY
    )


def test_an_owner_outside_the_actors_scope_reads_as_a_missing_post() -> None:
    with pytest.raises(NotFound) as outside:
        decide_register_outlet(
            Outlet(), county(), post("p-io"), scope=CHANGQIAO, command=register(), today=TODAY
        )
    with pytest.raises(NotFound) as missing:
        decide_register_outlet(Outlet(), county(), Post(), scope=CHANGQIAO, command=register(), today=TODAY)
    assert (outside.value.message, outside.value.field) == (missing.value.message, missing.value.field)
    assert WUZHONG not in outside.value.message


def test_an_outlet_registers_once() -> None:
    with pytest.raises(AlreadyExists):
        decide_register_outlet(
            outlet("o-web", "p-io"), county(), post("p-io"), scope=SCOPE, command=register(), today=TODAY
        )


def status(to: OutletStatus) -> ChangeOutletStatus:
    return ChangeOutletStatus(outlet_id="o-1", unit=WUZHONG, status=to, reason="整改", effective_on=ON)


GAP = OutletCoverageGapOpened(outlet_id="o-1", unit=WUZHONG, post_id="p-io", effective_on=date(2025, 6, 1))


def test_suspend_resume_and_close() -> None:
    suspended = decide_change_outlet_status(
        outlet("o-1", "p-io"), post("p-io"), status(OutletStatus.SUSPENDED), TODAY
    )
    assert types(suspended) == ["OutletStatusChanged"]
    paused = evolve_outlet(outlet("o-1", "p-io"), suspended[0])
    assert types(decide_change_outlet_status(paused, post("p-io"), status(OutletStatus.ACTIVE), TODAY)) == [
        "OutletStatusChanged"
    ]
    with pytest.raises(DomainError, match="is already active"):
        decide_change_outlet_status(outlet("o-1", "p-io"), post("p-io"), status(OutletStatus.ACTIVE), TODAY)


def test_an_outlet_without_an_owner_in_post_is_not_resumed() -> None:
    paused = outlet("o-1", "p-io", later=[GAP])
    paused = replace(paused, status=OutletStatus.SUSPENDED)
    with pytest.raises(DomainError, match="hand it over before resuming"):
        decide_change_outlet_status(paused, post("p-io", holder=None), status(OutletStatus.ACTIVE), TODAY)


def test_closing_ends_the_gap_and_is_final() -> None:
    events = decide_change_outlet_status(
        outlet("o-1", "p-io", later=[GAP]), post("p-io", holder=None), status(OutletStatus.CLOSED), TODAY
    )
    assert types(events) == ["OutletStatusChanged", "OutletCoverageGapClosed"]
    assert isinstance(events[1], OutletCoverageGapClosed)
    assert events[1].resolution is GapResolution.OUTLET_CLOSED
    closed = evolve_outlet(outlet("o-1", "p-io"), events[0])
    with pytest.raises(DomainError, match="is closed; register a new outlet"):
        decide_change_outlet_status(closed, post("p-io"), status(OutletStatus.ACTIVE), TODAY)


def owner(to: str) -> ChangeOutletOwner:
    return ChangeOutletOwner(outlet_id="o-1", unit=WUZHONG, to_post_id=to, reason="分工调整", effective_on=ON)


def test_changing_the_owner_closes_a_gap() -> None:
    events = decide_change_outlet_owner(
        outlet("o-1", "p-io", later=[GAP]), post("p-new"), SCOPE, owner("p-new"), TODAY
    )
    assert events == [
        OutletOwnerChanged(
            outlet_id="o-1",
            unit=WUZHONG,
            from_post_id="p-io",
            to_post_id="p-new",
            reason="分工调整",
            effective_on=ON,
        ),
        OutletCoverageGapClosed(
            outlet_id="o-1",
            unit=WUZHONG,
            post_id="p-new",
            resolution=GapResolution.HANDED_OVER,
            effective_on=ON,
        ),
    ]


def test_an_outlet_is_not_given_to_a_post_in_another_county() -> None:
    with pytest.raises(DomainError, match="an outlet answers to a post in its own county"):
        decide_change_outlet_owner(outlet("o-1", "p-io"), post("p-x", XIANGCHENG), SCOPE, owner("p-x"), TODAY)
    with pytest.raises(DomainError, match="already answers to post p-io"):
        decide_change_outlet_owner(outlet("o-1", "p-io"), post("p-io"), SCOPE, owner("p-io"), TODAY)


def hand_over(to: str = "p-new", *, move_oversight: bool = True) -> HandOver:
    return HandOver(
        handover_id="h-1",
        from_post_id="p-old",
        unit=WUZHONG,
        to_post_id=to,
        move_oversight=move_oversight,
        effective_on=ON,
        reason="工作调动",
    )


def departed(*later: DomainEvent) -> Post:
    return post("p-old", kind=PostKind.LEADER_IN_CHARGE, holder=None, later=later)


def test_one_hand_over_moves_every_outlet_and_closes_the_gaps() -> None:
    outlets = [outlet("o-1", "p-old", later=[GAP]), outlet("o-2", "p-old"), outlet("o-3", "p-other")]
    decided = by_stream(
        decide_hand_over(departed(), post("p-new"), outlets, scope=SCOPE, command=hand_over(), today=TODAY)
    )
    assert set(decided) == {"post:p-old", "outlet:o-1", "outlet:o-2"}
    (handed,) = decided["post:p-old"]
    assert isinstance(handed, DutyHandedOver)
    assert (handed.outlets, handed.sections, handed.to_unit) == (["o-1", "o-2"], [], WUZHONG)
    assert types(decided["outlet:o-1"]) == ["OutletOwnerChanged", "OutletCoverageGapClosed"]
    assert types(decided["outlet:o-2"]) == ["OutletOwnerChanged"]


def test_a_hand_over_moves_oversight_to_another_leader_in_charge() -> None:
    section = f"{WUZHONG}.dept_office"
    oversaw = DutyAssigned(post_id="p-old", unit=WUZHONG, section=section, effective_on=date(2025, 2, 1))
    leader = post("p-new", kind=PostKind.LEADER_IN_CHARGE)
    decided = by_stream(
        decide_hand_over(departed(oversaw), leader, [], scope=SCOPE, command=hand_over(), today=TODAY)
    )
    assert decided["post:p-new"] == [
        DutyAssigned(post_id="p-new", unit=WUZHONG, section=section, effective_on=ON, handover_id="h-1")
    ]
    with pytest.raises(DomainError, match="only a leader in charge can take that over"):
        decide_hand_over(departed(oversaw), post("p-new"), [], scope=SCOPE, command=hand_over(), today=TODAY)
    with pytest.raises(DomainError, match="no outlets or overseen sections"):
        decide_hand_over(
            departed(oversaw),
            post("p-new"),
            [],
            scope=SCOPE,
            command=hand_over(move_oversight=False),
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        (post("p-new", holder=None), DomainError, "is vacant"),
        (post("p-new", XIANGCHENG), DomainError, "in its own county"),
        (Post(), NotFound, "post p-new does not exist"),
    ],
)
def test_a_hand_over_needs_a_filled_post_in_the_same_county(
    target: Post, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        decide_hand_over(
            departed(), target, [outlet("o-1", "p-old")], scope=SCOPE, command=hand_over(), today=TODAY
        )


def test_a_hand_over_stays_within_the_actors_scope_and_goes_somewhere_else() -> None:
    with pytest.raises(NotFound, match="post p-new does not exist"):  # as a missing one would
        decide_hand_over(
            departed(),
            post("p-new"),
            [outlet("o-1", "p-old")],
            scope=f"{WUZHONG}.dept01",
            command=hand_over(),
            today=TODAY,
        )
    with pytest.raises(DomainError, match="cannot hand over to itself"):
        decide_hand_over(departed(), departed(), [], scope=SCOPE, command=hand_over("p-old"), today=TODAY)

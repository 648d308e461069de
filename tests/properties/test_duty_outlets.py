"""Posts and the outlets they answer for, under any sequence of duty commands: only named refusals, and
no outlet runs without someone answering for it (谁主办谁负责)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.duty import (
    AbolishPost,
    AssignOversight,
    ChangeOutletOwner,
    ChangeOutletStatus,
    CreatePost,
    FillPost,
    HandOver,
    OutletKind,
    OutletStatus,
    PostKind,
    RegisterOutlet,
    RevokeOversight,
    UnitKind,
    VacatePost,
)
from contracts.units import is_within
from services.duty.domain.common import change, outlet_stream, post_stream
from services.duty.domain.handover import decide_hand_over
from services.duty.domain.outlets import (
    Outlet,
    decide_change_outlet_owner,
    decide_change_outlet_status,
    decide_register_outlet,
    evolve_outlet,
)
from services.duty.domain.posts import (
    Post,
    decide_abolish_post,
    decide_assign_oversight,
    decide_create_post,
    decide_fill_post,
    decide_revoke_oversight,
    decide_vacate_post,
    evolve_post,
)
from services.duty.domain.units import Unit
from tests.properties.streams import Stream, Streams, state_is_its_events

TOWNSHIP = "3205.320506.320506001"
UNIT = Unit(TOWNSHIP, "枫桥街道", UnitKind.TOWNSHIP_OFFICE, "3205.320506", last_effective=date(2020, 1, 1))
DEPT = f"{TOWNSHIP}.dept01"
SECTION = Unit(DEPT, "综合办", UnitKind.DEPARTMENT, TOWNSHIP, last_effective=date(2020, 1, 1))
SECTIONS = {DEPT: SECTION, TOWNSHIP: UNIT, "3205.320507.dept02": Unit()}  # below, itself, unknown
SCOPE = "3205.320506"
TODAY = date(2026, 12, 7)
POSTS = ("post-a", "post-b", "post-c")
OUTLETS = ("outlet-1", "outlet-2")
World = Streams[Any]
Step = Callable[[World], Sequence[Any]]
# Mostly today (so that changes follow each other), sometimes earlier than the last change or tomorrow.
days = st.sampled_from([0, 0, 0, 0, 0, 0, -1, -30, 1]).map(lambda offset: TODAY + timedelta(days=offset))
post_ids = st.sampled_from(POSTS)
outlet_ids = st.sampled_from(OUTLETS)


def post(world: World, post_id: str) -> Post:
    return world.state(post_stream(post_id))  # type: ignore[no-any-return]


def outlets(world: World) -> list[Outlet]:
    return [world.state(outlet_stream(outlet_id)) for outlet_id in OUTLETS]


def create(post_id: str, kind: PostKind, on: date | None) -> Step:
    command = CreatePost(post_id=post_id, unit=TOWNSHIP, kind=kind, title="信息员", effective_on=on)
    return lambda world: [
        change(
            post_stream(post_id),
            TOWNSHIP,
            *decide_create_post(post(world, post_id), UNIT, None, command, TODAY),
        )
    ]


def fill(post_id: str, staff_no: str, on: date) -> Step:
    command = FillPost(post_id=post_id, unit=TOWNSHIP, staff_no=staff_no, person_name="王芳", effective_on=on)
    return lambda world: decide_fill_post(post(world, post_id), outlets(world), command, TODAY)


def vacate(post_id: str, on: date) -> Step:
    command = VacatePost(post_id=post_id, unit=TOWNSHIP, effective_on=on, reason="调任")
    return lambda world: decide_vacate_post(post(world, post_id), outlets(world), command, TODAY)


def abolish(post_id: str, on: date) -> Step:
    command = AbolishPost(post_id=post_id, unit=TOWNSHIP, effective_on=on, reason="撤销")
    return lambda world: [
        change(
            post_stream(post_id),
            TOWNSHIP,
            *decide_abolish_post(post(world, post_id), outlets(world), command, TODAY),
        )
    ]


def register(outlet_id: str, owner: str, on: date) -> Step:
    command = RegisterOutlet(
        outlet_id=outlet_id,
        unit=TOWNSHIP,
        kind=OutletKind.WEBSITE,
        name="门户",
        owner_post_id=owner,
        effective_on=on,
    )

    def decide(world: World) -> Sequence[Any]:
        outlet = world.state(outlet_stream(outlet_id))
        events = decide_register_outlet(
            outlet, UNIT, post(world, owner), scope=SCOPE, command=command, today=TODAY
        )
        return [change(outlet_stream(outlet_id), TOWNSHIP, *events)]

    return decide


def set_status(outlet_id: str, status: OutletStatus, on: date) -> Step:
    command = ChangeOutletStatus(
        outlet_id=outlet_id, unit=TOWNSHIP, status=status, reason="整顿", effective_on=on
    )

    def decide(world: World) -> Sequence[Any]:
        outlet = world.state(outlet_stream(outlet_id))
        owner = post(world, outlet.owner_post_id) if outlet.owner_post_id in POSTS else Post()
        return [
            change(
                outlet_stream(outlet_id),
                TOWNSHIP,
                *decide_change_outlet_status(outlet, owner, command, TODAY),
            )
        ]

    return decide


def set_owner(outlet_id: str, to_post_id: str, on: date) -> Step:
    command = ChangeOutletOwner(
        outlet_id=outlet_id, unit=TOWNSHIP, to_post_id=to_post_id, reason="调整", effective_on=on
    )

    def decide(world: World) -> Sequence[Any]:
        outlet = world.state(outlet_stream(outlet_id))
        events = decide_change_outlet_owner(outlet, post(world, to_post_id), SCOPE, command, TODAY)
        return [change(outlet_stream(outlet_id), TOWNSHIP, *events)]

    return decide


def assign_oversight(post_id: str, section: str, on: date) -> Step:
    command = AssignOversight(post_id=post_id, unit=TOWNSHIP, section=section, effective_on=on)
    return lambda world: [
        change(
            post_stream(post_id),
            TOWNSHIP,
            *decide_assign_oversight(post(world, post_id), SECTIONS[section], command, TODAY),
        )
    ]


def revoke_oversight(post_id: str, section: str, on: date) -> Step:
    command = RevokeOversight(
        post_id=post_id, unit=TOWNSHIP, section=section, effective_on=on, reason="分工调整"
    )
    return lambda world: [
        change(post_stream(post_id), TOWNSHIP, *decide_revoke_oversight(post(world, post_id), command, TODAY))
    ]


def hand_over(from_post_id: str, to_post_id: str, on: date, move_oversight: bool = True) -> Step:
    command = HandOver(
        handover_id="handover-1",
        from_post_id=from_post_id,
        unit=TOWNSHIP,
        to_post_id=to_post_id,
        move_oversight=move_oversight,
        effective_on=on,
        reason="交接",
    )
    return lambda world: decide_hand_over(
        post(world, from_post_id),
        post(world, to_post_id),
        outlets(world),
        scope=SCOPE,
        command=command,
        today=TODAY,
    )


steps = st.one_of(
    st.builds(
        create,
        post_ids,
        st.sampled_from([PostKind.INFORMATION_OFFICER, PostKind.LEADER_IN_CHARGE, PostKind.DEPARTMENT_HEAD]),
        st.none() | days,
    ),
    st.builds(assign_oversight, post_ids, st.sampled_from(sorted(SECTIONS)), days),
    st.builds(revoke_oversight, post_ids, st.sampled_from(sorted(SECTIONS)), days),
    st.builds(fill, post_ids, st.sampled_from(["s001", "s002"]), days),
    st.builds(vacate, post_ids, days),
    st.builds(abolish, post_ids, days),
    st.builds(register, outlet_ids, post_ids, days),
    st.builds(set_status, outlet_ids, st.sampled_from(OutletStatus), days),
    st.builds(set_owner, outlet_ids, post_ids, days),
    st.builds(hand_over, post_ids, post_ids, days, st.booleans()),
)


# --- the rules, one function each -----------------------------------------------------------------------
def no_outlet_runs_without_an_owner_post(world: World) -> None:
    """A running outlet answers to a post that exists and is not abolished."""
    for outlet in outlets(world):
        if outlet.running:
            owner = post(world, outlet.owner_post_id or "")
            assert owner.exists
            assert not owner.abolished


def no_outlet_is_active_without_someone_in_post_or_a_flagged_gap(world: World) -> None:
    """An active outlet's owning post is held by someone, or the gap is flagged for all to see."""
    for outlet in outlets(world):
        if outlet.status is OutletStatus.ACTIVE:
            assert post(world, outlet.owner_post_id or "").holder is not None or outlet.gap_open


def a_gap_is_open_only_while_the_owner_post_is_vacant(world: World) -> None:
    for outlet in outlets(world):
        if outlet.gap_open:
            assert outlet.running
            assert post(world, outlet.owner_post_id or "").holder is None


def a_closed_outlet_has_no_open_gap(world: World) -> None:
    for outlet in outlets(world):
        if outlet.exists and not outlet.running:
            assert not outlet.gap_open


def only_a_leader_in_charge_oversees_sections_below_its_unit(world: World) -> None:
    """一岗双责: overseen sections belong to a leader in charge, and lie below that post's own unit."""
    for post_id in POSTS:
        held = post(world, post_id)
        if held.sections:
            assert held.kind is PostKind.LEADER_IN_CHARGE
            assert not held.abolished
        for section in held.sections:
            assert section != held.unit
            assert is_within(section, held.unit or "")


DUTY_RULES = (
    only_a_leader_in_charge_oversees_sections_below_its_unit,
    no_outlet_runs_without_an_owner_post,
    no_outlet_is_active_without_someone_in_post_or_a_flagged_gap,
    a_gap_is_open_only_while_the_owner_post_is_vacant,
    a_closed_outlet_has_no_open_gap,
)


def fresh_world() -> World:
    streams: dict[str, Stream[Any]] = {post_stream(p): Stream(Post(), evolve_post) for p in POSTS}
    streams |= {outlet_stream(o): Stream(Outlet(), evolve_outlet) for o in OUTLETS}
    return Streams(streams)


@settings(max_examples=150)  # deep sequences find more than many short ones; still a few seconds
@given(script=st.lists(steps, min_size=8, max_size=40))
def test_any_sequence_of_post_and_outlet_commands_keeps_every_outlet_answered_for(script: list[Step]) -> None:
    world = fresh_world()
    before = TODAY - timedelta(days=60)  # a township with two people in post and one outlet to start from
    setup = [
        create("post-a", PostKind.INFORMATION_OFFICER, None),
        create("post-b", PostKind.INFORMATION_OFFICER, None),
        create("post-c", PostKind.LEADER_IN_CHARGE, None),
        fill("post-a", "s001", before),
        fill("post-b", "s002", before),
        register("outlet-1", "post-a", before),
    ]
    for decide in [*setup, *script]:
        world.attempt(lambda decide=decide: decide(world))  # type: ignore[misc]
        for rule in DUTY_RULES:
            rule(world)
    for stream in world.each():
        state_is_its_events(stream)

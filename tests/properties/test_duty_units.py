"""The unit tree under any register and rename commands: only named refusals; every registered unit sits
under a registered parent with a kind that fits its place, and a rename never moves a date backwards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.duty import RegisterUnit, RenameUnit, UnitKind
from contracts.units import parent_of
from services.duty.domain.common import change, unit_stream
from services.duty.domain.units import (
    Unit,
    decide_register_unit,
    decide_rename_unit,
    evolve_unit,
    expected_kinds,
)
from tests.properties.streams import Stream, Streams, state_is_its_events

PATHS = ("3205", "3205.320506", "3205.320506.320506001", "3205.320506.320506001.dept01", "3205.320507")
TODAY = date(2026, 12, 7)
World = Streams[Unit]
Step = Callable[[World], Sequence[object]]
days = st.sampled_from([0, 0, 0, -1, -400, 1]).map(lambda offset: TODAY + timedelta(days=offset))


def unit(world: World, path: str | None) -> Unit | None:
    return world.state(unit_stream(path)) if path is not None else None


def register(path: str, kind: UnitKind | None, on: date | None) -> Step:
    """Register ``path`` as ``kind`` (None: a kind that fits its place)."""
    fitting = kind or sorted(expected_kinds(path))[0]
    command = RegisterUnit(path=path, name="单位", kind=fitting, effective_on=on)

    def decide(world: World) -> Sequence[object]:
        events = decide_register_unit(
            world.state(unit_stream(path)), unit(world, parent_of(path)), command, TODAY
        )
        return [change(unit_stream(path), path, *events)]

    return decide


def rename(path: str, name: str, on: date) -> Step:
    command = RenameUnit(path=path, name=name, effective_on=on, reason="更名")
    return lambda world: [
        change(unit_stream(path), path, *decide_rename_unit(world.state(unit_stream(path)), command, TODAY))
    ]


kinds = st.none() | st.sampled_from(UnitKind)
steps = st.one_of(
    st.builds(register, st.sampled_from(PATHS), kinds, st.none() | days),
    st.builds(register, st.sampled_from(PATHS), kinds, st.none() | days),
    st.builds(rename, st.sampled_from(PATHS), st.sampled_from(["甲", "乙"]), days),
)


def every_unit_sits_under_a_registered_parent(world: World) -> None:
    for path in PATHS:
        if world.state(unit_stream(path)).registered and (parent := parent_of(path)) is not None:
            assert world.state(unit_stream(parent)).registered


def every_unit_has_a_kind_that_fits_its_place(world: World) -> None:
    for path in PATHS:
        found = world.state(unit_stream(path))
        if found.registered:
            assert found.kind in expected_kinds(path)


@given(script=st.lists(steps, min_size=3, max_size=30))
def test_any_sequence_of_unit_commands_keeps_the_tree_whole(script: list[Step]) -> None:
    world: World = Streams({unit_stream(path): Stream(Unit(), evolve_unit) for path in PATHS})
    for decide in [register("3205", UnitKind.BUREAU, None), *script]:  # the city first: the tree grows
        world.attempt(lambda decide=decide: decide(world))  # type: ignore[misc]
        every_unit_sits_under_a_registered_parent(world)
        every_unit_has_a_kind_that_fits_its_place(world)
    for stream in world.each():
        state_is_its_events(stream)
        dates = [day for event in stream.events if (day := getattr(event, "effective_on", None)) is not None]
        assert dates == sorted(dates), "no change takes effect before the one before it"

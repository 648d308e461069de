"""Township merges and splits, given/when/then: sub-units move with their posts and outlets, the old
paths are retired (history kept), oversight follows, and nothing is left without an owner."""

from __future__ import annotations

import re
from datetime import date

import pytest

from contracts.duty import (
    DutyAssigned,
    DutyRevoked,
    MergeUnits,
    OutletRelocated,
    PostKind,
    PostRelocated,
    SplitUnit,
    UnitKind,
    UnitMove,
    UnitRegistered,
    UnitRetired,
    UnitsMerged,
)
from services.duty.domain.restructure import Affected, decide_merge, decide_split
from services.duty.domain.units import Unit
from services.eventkit.errors import AlreadyExists, DomainError
from tests.duty.given import (
    CHANGQIAO,
    GUOXIANG,
    TODAY,
    WUZHONG,
    by_stream,
    outlet,
    post,
    township,
    types,
    unit,
)

ON = date(2025, 7, 1)
OLD_BRANCH = f"{GUOXIANG}.branch01"
NEW_BRANCH = f"{CHANGQIAO}.branch01"


def merge() -> MergeUnits:
    return MergeUnits(absorbed=GUOXIANG, into=CHANGQIAO, effective_on=ON, reason="撤并郭巷街道")


def affected(**changes: object) -> Affected:
    """郭巷 with one vacant post, a party branch (with its secretary) and two outlets."""
    base = {
        "moved": {OLD_BRANCH: unit(OLD_BRANCH, "郭巷街道党支部", UnitKind.BRANCH)},
        "posts": [
            post("p-gx-sec", GUOXIANG, PostKind.FIRST_RESPONSIBLE, holder=None),
            post("p-gx-branch", OLD_BRANCH, PostKind.BRANCH_SECRETARY),
        ],
        "outlets": [outlet("o-gx-wx", "p-cq-io", GUOXIANG), outlet("o-gx-board", "p-gx-branch", OLD_BRANCH)],
    }
    return Affected(**{**base, **changes})  # type: ignore[arg-type]


def guoxiang() -> Unit:
    return township(GUOXIANG, "郭巷街道")


def test_a_merge_retires_the_township_and_moves_its_sub_units_posts_and_outlets() -> None:
    decided = by_stream(decide_merge(guoxiang(), township(), affected(), merge(), TODAY))
    assert decided[f"unit:{CHANGQIAO}"] == [
        UnitsMerged(
            absorbed=GUOXIANG,
            into=CHANGQIAO,
            moved_units=[UnitMove(from_path=OLD_BRANCH, to_path=NEW_BRANCH)],
            effective_on=ON,
            reason="撤并郭巷街道",
        )
    ]
    assert decided[f"unit:{GUOXIANG}"] == [
        UnitRetired(path=GUOXIANG, successor=CHANGQIAO, effective_on=ON, reason="撤并郭巷街道")
    ]
    assert decided[f"unit:{OLD_BRANCH}"] == [
        UnitRetired(path=OLD_BRANCH, successor=NEW_BRANCH, effective_on=ON, reason="撤并郭巷街道")
    ]
    assert decided[f"unit:{NEW_BRANCH}"] == [
        UnitRegistered(
            path=NEW_BRANCH,
            name="郭巷街道党支部",
            kind=UnitKind.BRANCH,
            parent=CHANGQIAO,
            effective_on=ON,
            previous_path=OLD_BRANCH,
        )
    ]
    assert types(decided["post:p-gx-sec"]) == ["PostAbolished"]  # the merged office's own post ends
    assert decided["post:p-gx-branch"] == [
        PostRelocated(post_id="p-gx-branch", from_unit=OLD_BRANCH, to_unit=NEW_BRANCH, effective_on=ON)
    ]
    assert decided["outlet:o-gx-wx"] == [
        OutletRelocated(outlet_id="o-gx-wx", from_unit=GUOXIANG, to_unit=CHANGQIAO, effective_on=ON)
    ]
    assert decided["outlet:o-gx-board"] == [
        OutletRelocated(outlet_id="o-gx-board", from_unit=OLD_BRANCH, to_unit=NEW_BRANCH, effective_on=ON)
    ]


def test_oversight_of_a_moved_section_follows_it() -> None:
    oversaw = DutyAssigned(post_id="p-lead", unit=WUZHONG, section=OLD_BRANCH, effective_on=date(2025, 2, 1))
    leader = post("p-lead", WUZHONG, PostKind.LEADER_IN_CHARGE, later=[oversaw])
    decided = by_stream(decide_merge(guoxiang(), township(), affected(overseers=[leader]), merge(), TODAY))
    assert decided["post:p-lead"] == [
        DutyRevoked(
            post_id="p-lead",
            unit=WUZHONG,
            section=OLD_BRANCH,
            effective_on=ON,
            reason=f"{OLD_BRANCH} became {NEW_BRANCH}",
        ),
        DutyAssigned(post_id="p-lead", unit=WUZHONG, section=NEW_BRANCH, effective_on=ON),
    ]


def test_the_merged_townships_own_posts_must_be_vacated_first() -> None:
    held = affected(posts=[post("p-gx-sec", GUOXIANG, PostKind.FIRST_RESPONSIBLE)])
    with pytest.raises(DomainError, match=r"vacate the posts of 郭巷街道 .* held by 王芳") as refused:
        decide_merge(guoxiang(), township(), held, merge(), TODAY)
    assert refused.value.field == "absorbed"


def test_outlets_owned_by_posts_that_end_must_be_handed_over_first() -> None:
    orphaned = affected(outlets=[outlet("o-gx-wx", "p-gx-sec", GUOXIANG)])
    with pytest.raises(DomainError, match="hand them over to a post of 长桥街道"):
        decide_merge(guoxiang(), township(), orphaned, merge(), TODAY)


def test_only_active_siblings_of_the_same_kind_merge() -> None:
    county = unit(WUZHONG, "吴中区民政局", UnitKind.COUNTY_OFFICE)
    with pytest.raises(DomainError, match="do not sit under the same unit"):
        decide_merge(
            guoxiang(),
            county,
            affected(),
            MergeUnits(absorbed=GUOXIANG, into=WUZHONG, effective_on=ON, reason="x"),
            TODAY,
        )
    dept = unit(f"{WUZHONG}.320506003", "x", UnitKind.TOWNSHIP_OFFICE)
    office = unit(f"{WUZHONG}.dept01", "办公室", UnitKind.DEPARTMENT)
    with pytest.raises(DomainError, match="cannot merge into a department"):
        decide_merge(
            dept,
            office,
            affected(),
            MergeUnits(absorbed=dept.path or "", into=f"{WUZHONG}.dept01", effective_on=ON, reason="x"),
            TODAY,
        )
    retired = unit(
        GUOXIANG,
        "郭巷街道",
        UnitKind.TOWNSHIP_OFFICE,
        UnitRetired(path=GUOXIANG, successor=None, effective_on=date(2025, 3, 1), reason="撤销"),
    )
    with pytest.raises(DomainError, match="was retired on 2025-03-01"):
        decide_merge(retired, township(), affected(), merge(), TODAY)


def test_a_moved_unit_cannot_land_on_an_existing_path() -> None:
    with pytest.raises(AlreadyExists, match=re.escape(f"already registered at {NEW_BRANCH}")):
        decide_merge(guoxiang(), township(), affected(occupied=frozenset({NEW_BRANCH})), merge(), TODAY)


def test_a_merge_cannot_predate_a_change_it_moves() -> None:
    with pytest.raises(DomainError, match="last changed on 2025-02-01"):  # an outlet registered then
        decide_merge(
            guoxiang(),
            township(),
            affected(),
            MergeUnits(absorbed=GUOXIANG, into=CHANGQIAO, effective_on=date(2025, 1, 1), reason="撤并"),
            TODAY,
        )


NEW_TOWNSHIP = f"{WUZHONG}.320506009"


def split(*moved: str) -> SplitUnit:
    return SplitUnit(
        source=CHANGQIAO,
        new_path=NEW_TOWNSHIP,
        new_name="新设街道",
        moved_units=list(moved),
        effective_on=ON,
        reason="析出",
    )


def test_a_split_carves_out_a_sibling_taking_the_listed_sub_units() -> None:
    branch, carved_branch = f"{CHANGQIAO}.branch01", f"{NEW_TOWNSHIP}.branch01"
    moved = {
        branch: unit(branch, "党支部", UnitKind.BRANCH),
        f"{branch}.g1": unit(f"{branch}.g1", "党小组", UnitKind.BRANCH),
    }
    found = Affected(moved=moved, posts=[post("p-b", branch, PostKind.BRANCH_SECRETARY)])
    decided = by_stream(decide_split(township(), Unit(), found, split(branch), TODAY))
    assert types(decided[f"unit:{CHANGQIAO}"]) == ["UnitSplit"]
    (registered,) = decided[f"unit:{NEW_TOWNSHIP}"]
    assert isinstance(registered, UnitRegistered)
    assert (registered.kind, registered.parent, registered.name) == (
        UnitKind.TOWNSHIP_OFFICE,
        WUZHONG,
        "新设街道",
    )
    assert types(decided[f"unit:{carved_branch}.g1"]) == ["UnitRegistered"]
    assert decided["post:p-b"] == [
        PostRelocated(post_id="p-b", from_unit=branch, to_unit=carved_branch, effective_on=ON)
    ]


def test_a_split_moves_only_direct_sub_units_to_a_new_sibling() -> None:
    with pytest.raises(DomainError, match="is not directly below"):
        decide_split(township(), Unit(), Affected(), split(f"{GUOXIANG}.branch01"), TODAY)
    with pytest.raises(AlreadyExists, match="already registered as 郭巷街道"):
        decide_split(township(), guoxiang(), Affected(), split(), TODAY)
    not_sibling = SplitUnit(
        source=CHANGQIAO, new_path="3205.320507.320507009", new_name="x", effective_on=ON, reason="析出"
    )
    with pytest.raises(DomainError, match="must sit beside"):
        decide_split(township(), Unit(), Affected(), not_sibling, TODAY)

"""Posts, given/when/then: kinds by unit, filling and vacating (coverage gaps), abolishing, oversight."""

from __future__ import annotations

import re
from datetime import date

import pytest

from contracts.duty import (
    AbolishPost,
    AssignOversight,
    CreatePost,
    DutyAssigned,
    FillPost,
    GapResolution,
    OutletCoverageGapClosed,
    OutletCoverageGapOpened,
    OutletStatus,
    OutletStatusChanged,
    PostAbolished,
    PostCreated,
    PostFilled,
    PostKind,
    PostVacated,
    RevokeOversight,
    UnitKind,
    VacatePost,
)
from services.duty.domain.posts import (
    Post,
    decide_abolish_post,
    decide_assign_oversight,
    decide_create_post,
    decide_fill_post,
    decide_revoke_oversight,
    decide_vacate_post,
)
from services.duty.domain.units import Unit
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from tests.duty.given import TODAY, WUZHONG, XIANGCHENG, by_stream, county, outlet, post, types, unit

DEPT = f"{WUZHONG}.dept_office"
SUSPENDED = OutletStatusChanged(
    outlet_id="o-2", unit=WUZHONG, status=OutletStatus.SUSPENDED, reason="改版", effective_on=date(2025, 3, 1)
)
CLOSED = OutletStatusChanged(
    outlet_id="o-3", unit=WUZHONG, status=OutletStatus.CLOSED, reason="停用", effective_on=date(2025, 3, 1)
)


def create(kind: PostKind, unit_path: str = WUZHONG, post_id: str = "p-new") -> CreatePost:
    return CreatePost(post_id=post_id, unit=unit_path, kind=kind, title="岗位")


def test_a_post_is_created_at_a_unit_that_can_have_it() -> None:
    events = decide_create_post(Post(), county(), None, create(PostKind.LEADER_IN_CHARGE), TODAY)
    assert events == [
        PostCreated(post_id="p-new", unit=WUZHONG, kind=PostKind.LEADER_IN_CHARGE, title="岗位")
    ]


def test_a_department_head_belongs_to_a_section_not_an_office() -> None:
    with pytest.raises(DomainError, match="department_head post belongs to a unit of kind") as refused:
        decide_create_post(Post(), county(), None, create(PostKind.DEPARTMENT_HEAD), TODAY)
    assert refused.value.field == "kind"
    section = unit(DEPT, "办公室", UnitKind.DEPARTMENT)
    assert decide_create_post(Post(), section, None, create(PostKind.DEPARTMENT_HEAD, DEPT), TODAY)


def test_a_unit_has_one_first_responsible_persons_post() -> None:
    with pytest.raises(
        AlreadyExists, match=re.escape("already has a first responsible person's post (p-sec)")
    ):
        decide_create_post(Post(), county(), "p-sec", create(PostKind.FIRST_RESPONSIBLE), TODAY)


def test_a_post_id_is_used_once_and_needs_a_registered_unit() -> None:
    with pytest.raises(AlreadyExists):
        decide_create_post(post("p-new"), county(), None, create(PostKind.LEADER_IN_CHARGE), TODAY)
    with pytest.raises(NotFound, match=re.escape("unit 3205.320506 is not registered")):
        decide_create_post(Post(), Unit(), None, create(PostKind.LEADER_IN_CHARGE), TODAY)


def fill(on: date = date(2025, 7, 1), post_id: str = "p-io") -> FillPost:
    return FillPost(post_id=post_id, unit=WUZHONG, staff_no="W0002", person_name="李娜", effective_on=on)


def vacate(on: date = date(2025, 7, 1), unit_path: str = WUZHONG) -> VacatePost:
    return VacatePost(post_id="p-io", unit=unit_path, effective_on=on, reason="调任")


def test_vacating_a_post_flags_every_running_outlet_it_owns_as_a_coverage_gap() -> None:
    outlets = [
        outlet("o-1", "p-io"),
        outlet("o-2", "p-io", later=[SUSPENDED]),
        outlet("o-3", "p-io", later=[CLOSED]),
        outlet("o-4", "p-other"),
    ]
    decided = by_stream(decide_vacate_post(post("p-io"), outlets, vacate(), TODAY))
    assert decided == {
        "post:p-io": [
            PostVacated(
                post_id="p-io",
                unit=WUZHONG,
                kind=PostKind.INFORMATION_OFFICER,
                staff_no="W0001",
                person_name="王芳",
                effective_on=date(2025, 7, 1),
                reason="调任",
            )
        ],
        "outlet:o-1": [
            OutletCoverageGapOpened(
                outlet_id="o-1", unit=WUZHONG, post_id="p-io", effective_on=date(2025, 7, 1)
            )
        ],
        "outlet:o-2": [
            OutletCoverageGapOpened(
                outlet_id="o-2", unit=WUZHONG, post_id="p-io", effective_on=date(2025, 7, 1)
            )
        ],
    }


def test_vacating_an_empty_post_is_refused() -> None:
    with pytest.raises(DomainError, match="already vacant: there is nobody to vacate") as refused:
        decide_vacate_post(post("p-io", holder=None), [], vacate(), TODAY)
    assert refused.value.field == "post_id"


def test_a_post_is_only_reached_through_its_own_unit_or_one_above() -> None:
    with pytest.raises(NotFound, match=re.escape("post p-io is not in unit 3205.320507")):
        decide_vacate_post(post("p-io"), [], vacate(unit_path=XIANGCHENG), TODAY)


def test_a_departure_cannot_predate_the_arrival() -> None:
    with pytest.raises(DomainError, match="last changed on 2025-01-02"):
        decide_vacate_post(post("p-io"), [], vacate(date(2024, 12, 31)), TODAY)


def test_filling_a_vacant_post_closes_the_gaps_of_its_outlets() -> None:
    gap = OutletCoverageGapOpened(
        outlet_id="o-1", unit=WUZHONG, post_id="p-io", effective_on=date(2025, 6, 1)
    )
    outlets = [outlet("o-1", "p-io", later=[gap])]
    decided = by_stream(decide_fill_post(post("p-io", holder=None), outlets, fill(), TODAY))
    assert types(decided["post:p-io"]) == ["PostFilled"]
    assert decided["outlet:o-1"] == [
        OutletCoverageGapClosed(
            outlet_id="o-1",
            unit=WUZHONG,
            post_id="p-io",
            resolution=GapResolution.POST_FILLED,
            effective_on=date(2025, 7, 1),
        )
    ]


def test_a_held_post_cannot_be_filled_again() -> None:
    with pytest.raises(DomainError, match="held by 王芳 since 2025-01-02; vacate it first"):
        decide_fill_post(post("p-io"), [], fill(), TODAY)


def test_an_abolished_post_is_not_filled() -> None:
    gone = PostAbolished(post_id="p-io", unit=WUZHONG, effective_on=date(2025, 3, 1), reason="机构改革")
    with pytest.raises(DomainError, match="was abolished"):
        decide_fill_post(post("p-io", holder=None, later=[gone]), [], fill(), TODAY)


def abolish() -> AbolishPost:
    return AbolishPost(post_id="p-io", unit=WUZHONG, effective_on=date(2025, 7, 1), reason="机构改革")


def test_only_an_empty_post_that_answers_for_nothing_is_abolished() -> None:
    with pytest.raises(DomainError, match="vacate it before abolishing"):
        decide_abolish_post(post("p-io"), [], abolish(), TODAY)
    with pytest.raises(DomainError, match="still answers for outlets o-1; hand them over first"):
        decide_abolish_post(post("p-io", holder=None), [outlet("o-1", "p-io")], abolish(), TODAY)
    assert types(decide_abolish_post(post("p-io", holder=None), [], abolish(), TODAY)) == ["PostAbolished"]


def oversee(section: str = DEPT, post_id: str = "p-lead") -> AssignOversight:
    return AssignOversight(post_id=post_id, unit=WUZHONG, section=section, effective_on=date(2025, 7, 1))


def test_a_leader_in_charge_oversees_sections_of_their_unit() -> None:
    leader = post("p-lead", kind=PostKind.LEADER_IN_CHARGE)
    section = unit(DEPT, "办公室", UnitKind.DEPARTMENT)
    assert decide_assign_oversight(leader, section, oversee(), TODAY) == [
        DutyAssigned(post_id="p-lead", unit=WUZHONG, section=DEPT, effective_on=date(2025, 7, 1))
    ]


def test_only_a_leader_in_charge_oversees_and_only_below_their_unit() -> None:
    section = unit(DEPT, "办公室", UnitKind.DEPARTMENT)
    with pytest.raises(DomainError, match="only a leader in charge"):
        decide_assign_oversight(post("p-lead"), section, oversee(), TODAY)
    leader = post("p-lead", kind=PostKind.LEADER_IN_CHARGE)
    other = unit(f"{XIANGCHENG}.dept01", "办公室", UnitKind.DEPARTMENT)
    with pytest.raises(DomainError, match=re.escape("is not below 3205.320506")):
        decide_assign_oversight(leader, other, oversee(f"{XIANGCHENG}.dept01"), TODAY)


def test_oversight_is_assigned_once_and_revoked_only_when_held() -> None:
    assigned = DutyAssigned(post_id="p-lead", unit=WUZHONG, section=DEPT, effective_on=date(2025, 2, 1))
    leader = post("p-lead", kind=PostKind.LEADER_IN_CHARGE, later=[assigned])
    with pytest.raises(AlreadyExists, match="already oversees"):
        decide_assign_oversight(leader, unit(DEPT, "办公室", UnitKind.DEPARTMENT), oversee(), TODAY)
    revoke = RevokeOversight(
        post_id="p-lead", unit=WUZHONG, section=DEPT, effective_on=date(2025, 7, 1), reason="分工调整"
    )
    assert types(decide_revoke_oversight(leader, revoke, TODAY)) == ["DutyRevoked"]
    with pytest.raises(DomainError, match="does not oversee"):
        decide_revoke_oversight(post("p-lead", kind=PostKind.LEADER_IN_CHARGE), revoke, TODAY)
    with pytest.raises(DomainError, match="still oversees"):
        decide_abolish_post(
            post("p-lead", kind=PostKind.LEADER_IN_CHARGE, holder=None, later=[assigned]),
            [],
            AbolishPost(post_id="p-lead", unit=WUZHONG, effective_on=date(2025, 7, 1), reason="机构改革"),
            TODAY,
        )


def test_filled_event_records_the_person_minimally() -> None:
    decided = by_stream(decide_fill_post(post("p-io", holder=None), [], fill(), TODAY))
    (filled,) = decided["post:p-io"]
    assert isinstance(filled, PostFilled)
    assert filled.model_dump(exclude={"post_id", "unit", "kind", "effective_on"}) == {
        "staff_no": "W0002",
        "person_name": "李娜",
    }


def test_a_window_ideology_post_is_kept_at_an_office_or_section_not_a_branch() -> None:
    assert decide_create_post(Post(), county(), None, create(PostKind.WINDOW_POST), TODAY)
    section = unit(DEPT, "社会救助科", UnitKind.DEPARTMENT)
    assert decide_create_post(Post(), section, None, create(PostKind.WINDOW_POST, DEPT), TODAY)
    branch = unit(f"{WUZHONG}.branch01", "机关第一支部", UnitKind.BRANCH)
    with pytest.raises(DomainError) as refused:
        decide_create_post(Post(), branch, None, create(PostKind.WINDOW_POST, f"{WUZHONG}.branch01"), TODAY)
    assert refused.value.field == "kind"

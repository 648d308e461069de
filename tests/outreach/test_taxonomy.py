"""Activity taxonomy rules, given/when/then: subtypes defined, renamed with a reason and retired by the
city, each change a new version; activities may name only a current subtype of their kind."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts.inputs import validate_input
from contracts.outreach import ActivityKind, CorrectActivity, LogActivity
from contracts.outreach_taxonomy import (
    ActivitySubtypeDefined,
    ActivitySubtypeRetired,
    DefineActivitySubtype,
    RetireActivitySubtype,
)
from contracts.registry import DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.outreach.domain.activities import (
    Activity,
    decide_correct_activity,
    decide_log_activity,
    evolve_activity,
)
from services.outreach.domain.taxonomy import (
    Taxonomy,
    decide_define_subtype,
    decide_retire_subtype,
    evolve_taxonomy,
)

NOW = datetime(2025, 6, 30, 4, tzinfo=UTC)
TODAY = date(2025, 6, 30)
CITY = "3205"
TOWNSHIP = "3205.320506.320506001"


def define(subtype: str = "onsite_teaching", name: str = "现场教学", **changes: Any) -> DefineActivitySubtype:
    body = {"unit": CITY, "kind": "branch_study", "subtype": subtype, "name": name} | changes
    return validate_input(DefineActivitySubtype, body, NOW)


def given(*events: DomainEvent) -> Taxonomy:
    taxonomy = Taxonomy()
    for event in events:
        taxonomy = evolve_taxonomy(taxonomy, event)
    return taxonomy


def log(**changes: Any) -> LogActivity:
    body = {
        "activity_id": "act-0001",
        "unit": TOWNSHIP,
        "kind": "branch_study",
        "subtype": "onsite_teaching",
        "topic": "赴红色教育基地现场教学",
        "held_on": "2025-06-20",
        "audience": 30,
    } | changes
    return validate_input(LogActivity, body, NOW)


def test_each_change_is_a_new_version_of_the_citys_taxonomy() -> None:
    (first,) = decide_define_subtype(Taxonomy(), True, define())
    assert isinstance(first, ActivitySubtypeDefined)
    assert first.taxonomy_version == 1
    taxonomy = given(first)
    (second,) = decide_define_subtype(taxonomy, True, define("youth_sharing", "民政青年说"))
    assert isinstance(second, ActivitySubtypeDefined)
    assert second.taxonomy_version == 2
    retire = RetireActivitySubtype(
        unit=CITY, kind=ActivityKind.BRANCH_STUDY, subtype="youth_sharing", reason="并入"
    )
    (third,) = decide_retire_subtype(given(first, second), True, retire)
    assert isinstance(third, ActivitySubtypeRetired)
    assert third.taxonomy_version == 3


def test_the_taxonomy_belongs_to_a_registered_city() -> None:
    with pytest.raises(DomainError) as refused:
        decide_define_subtype(Taxonomy(), True, define(unit="3205.320506"))
    assert refused.value.field == "unit"
    with pytest.raises(NotFound):
        decide_define_subtype(Taxonomy(), False, define())


def test_a_rename_needs_a_reason_and_the_same_twice_is_a_conflict() -> None:
    taxonomy = given(*decide_define_subtype(Taxonomy(), True, define()))
    with pytest.raises(AlreadyExists):
        decide_define_subtype(taxonomy, True, define())
    with pytest.raises(DomainError) as refused:
        decide_define_subtype(taxonomy, True, define(name="红色教育基地现场教学"))
    assert refused.value.field == "reason"
    (renamed,) = decide_define_subtype(taxonomy, True, define(name="红色教育基地现场教学", reason="统一名称"))
    assert isinstance(renamed, ActivitySubtypeDefined)


def test_two_subtypes_of_one_kind_cannot_share_a_name() -> None:
    taxonomy = given(*decide_define_subtype(Taxonomy(), True, define()))
    with pytest.raises(AlreadyExists) as refused:
        decide_define_subtype(taxonomy, True, define("site_teaching", "现场教学"))
    assert refused.value.field == "name"


def test_an_activity_takes_only_a_current_subtype_of_its_kind() -> None:
    with pytest.raises(DomainError) as refused:
        decide_log_activity(Activity(), True, TODAY, log())  # nothing defined
    assert refused.value.field == "subtype"
    taxonomy = given(*decide_define_subtype(Taxonomy(), True, define()))
    (event,) = decide_log_activity(Activity(), True, TODAY, log(), taxonomy=taxonomy)
    assert getattr(event, "subtype", None) == "onsite_teaching"
    with pytest.raises(DomainError):  # defined for branch study, not for lectures
        decide_log_activity(Activity(), True, TODAY, log(kind="lecture"), taxonomy=taxonomy)
    retire = RetireActivitySubtype(
        unit=CITY, kind=ActivityKind.BRANCH_STUDY, subtype="onsite_teaching", reason="停用"
    )
    retired = given(
        *decide_define_subtype(Taxonomy(), True, define()), *decide_retire_subtype(taxonomy, True, retire)
    )
    with pytest.raises(DomainError, match="retired"):
        decide_log_activity(Activity(), True, TODAY, log(), taxonomy=retired)


def test_an_activity_without_a_subtype_needs_no_taxonomy() -> None:
    (event,) = decide_log_activity(Activity(), True, TODAY, log(subtype=None))
    assert getattr(event, "subtype", "x") is None


def test_a_correction_that_changes_the_subtype_is_checked_and_one_that_does_not_is_not() -> None:
    taxonomy = given(*decide_define_subtype(Taxonomy(), True, define()))
    activity = evolve_activity(
        Activity(), decide_log_activity(Activity(), True, TODAY, log(), taxonomy=taxonomy)[0]
    )
    base = {"activity_id": "act-0001", "unit": TOWNSHIP, "reason": "更正"}
    wrong = validate_input(CorrectActivity, base | {"subtype": "film_screening"}, NOW)
    with pytest.raises(DomainError) as refused:
        decide_correct_activity(activity, TODAY, wrong, taxonomy)
    assert refused.value.field == "subtype"
    # The subtype was retired since: a correction of the attendance alone still goes through.
    audience = validate_input(CorrectActivity, base | {"audience": 35}, NOW)
    assert decide_correct_activity(activity, TODAY, audience, Taxonomy())

"""Publications and activities under any sequence of commands: only named refusals, and the rules hold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.commands import Role
from contracts.outreach import (
    ActivityKind,
    CorrectActivity,
    LogActivity,
    PublicationKind,
    PublicationStatus,
    Publish,
    RecordViews,
    ReviewDecision,
    ReviewPublication,
    ReviewStage,
    RevisePublication,
    SubmitPublication,
    VoidActivity,
)
from contracts.registry import DomainEvent
from services.outreach.domain import (
    Activity,
    decide_correct_activity,
    decide_log_activity,
    decide_void_activity,
    evolve_activity,
)
from services.outreach.domain.publications import (
    AWAITING,
    Outlet,
    Publication,
    decide_publish,
    decide_record_views,
    decide_review,
    decide_revise,
    decide_submit,
    evolve_publication,
)
from tests.properties.streams import Stream, state_is_its_events

UNIT = "3205.320506.320506001"
TODAY = date(2026, 12, 7)
PEOPLE = ("wang", "li", "zhang", "zhao")
OUTLETS = {
    "outlet-own": Outlet("outlet-own", UNIT, "active", date(2026, 1, 1)),
    "outlet-above": Outlet("outlet-above", "3205.320506", "active", date(2026, 11, 1)),
    "outlet-shut": Outlet("outlet-shut", UNIT, "suspended", date(2026, 1, 1)),
    "outlet-sibling": Outlet("outlet-sibling", "3205.320506.320506002", "active", date(2026, 1, 1)),
}
PUBLICATION_ID = "pub-00001"
ACTIVITY_ID = "act-00001"
days = st.integers(-400, 3).map(lambda offset: TODAY + timedelta(days=offset))
outlet_ids = st.sampled_from([*OUTLETS, "outlet-missing"])
Step = Callable[[Any], Sequence[DomainEvent]]


# --- publications (三审三校) ------------------------------------------------------------------------------
def submit(author: str, outlet_id: str) -> Step:
    command = SubmitPublication(
        publication_id=PUBLICATION_ID,
        unit=UNIT,
        kind=PublicationKind.ARTICLE,
        title="标题",
        outlet_id=outlet_id,
    )
    return lambda publication: decide_submit(publication, True, OUTLETS.get(outlet_id), author, command)


def review(
    reviewer: str, leader: bool, stage: ReviewStage | None, approve: bool, comments: str | None
) -> Step:
    roles = {Role.CLERK, Role.LEADER} if leader else {Role.CLERK}

    def decide(publication: Publication) -> Sequence[DomainEvent]:
        awaited = AWAITING.get(publication.status) if publication.status else None
        command = ReviewPublication(
            publication_id=PUBLICATION_ID,
            unit=UNIT,
            stage=stage or awaited or ReviewStage.FIRST,  # None: the stage it waits for
            decision=ReviewDecision.APPROVE if approve else ReviewDecision.SEND_BACK,
            comments=comments,
        )
        return decide_review(publication, reviewer, roles, command)

    return decide


def revise(reviser: str, outlet_id: str | None) -> Step:
    command = RevisePublication(publication_id=PUBLICATION_ID, unit=UNIT, note="改好了", outlet_id=outlet_id)
    return lambda publication: decide_revise(publication, OUTLETS.get(outlet_id or ""), reviser, command)


def publish(on: date) -> Step:
    command = Publish(publication_id=PUBLICATION_ID, unit=UNIT, published_on=on)
    return lambda publication: decide_publish(publication, OUTLETS.get(publication.outlet_id), TODAY, command)


def record_views(views: int, as_of: date) -> Step:
    command = RecordViews(publication_id=PUBLICATION_ID, unit=UNIT, views=views, as_of=as_of)
    return lambda publication: decide_record_views(publication, TODAY, command)


people = st.sampled_from(PEOPLE)
reviews = st.builds(
    review,
    people,
    st.booleans(),
    st.sampled_from([None, None, None, *ReviewStage]),
    st.sampled_from([True, True, True, True, False]),
    st.none() | st.sampled_from(["", "请改标题"]),
)
# Reviews weigh most: a piece needs three (by three people) before anything else can happen to it.
publication_steps = st.one_of(
    reviews,
    reviews,
    reviews,
    st.builds(submit, people, outlet_ids),
    st.builds(revise, people, st.none() | outlet_ids),
    st.builds(publish, days),
    st.builds(record_views, st.integers(0, 10_000_000_000), days),
)


def no_person_signs_two_stages_of_a_round(publication: Publication) -> None:
    signers = list(publication.signers.values())
    assert len(set(signers)) == len(signers)


def no_author_reviews_their_own_piece(publication: Publication) -> None:
    assert not set(publication.signers.values()) & publication.authors


def stages_are_signed_in_order(publication: Publication) -> None:
    order = list(ReviewStage)
    assert list(publication.signers) == order[: len(publication.signers)]


def only_a_piece_with_three_signatures_is_approved_or_published(publication: Publication) -> None:
    if publication.status in (PublicationStatus.APPROVED, PublicationStatus.PUBLISHED):
        assert set(publication.signers) == set(ReviewStage)


def view_counts_are_never_negative(publication: Publication) -> None:
    assert publication.views >= 0


PUBLICATION_RULES = (
    no_person_signs_two_stages_of_a_round,
    no_author_reviews_their_own_piece,
    stages_are_signed_in_order,
    only_a_piece_with_three_signatures_is_approved_or_published,
    view_counts_are_never_negative,
)


@settings(max_examples=150)  # deep sequences find more than many short ones; still a few seconds
@given(
    first=st.builds(submit, people, st.just("outlet-own")), script=st.lists(publication_steps, max_size=30)
)
def test_any_sequence_of_publication_commands_keeps_the_review_rules(first: Step, script: list[Step]) -> None:
    stream = Stream(Publication(), evolve_publication)
    for decide in [first, *script]:
        stream.attempt(decide)
        for rule in PUBLICATION_RULES:
            rule(stream.state)
    state_is_its_events(stream)


# --- activities -----------------------------------------------------------------------------------------
names = st.lists(st.sampled_from(["王芳", "李明", "张伟"]), max_size=3)
hashes = st.lists(st.just("a" * 64), max_size=1)


def log(held_on: date, audience: int, participants: list[str], unit_known: bool) -> Step:
    command = LogActivity(
        activity_id=ACTIVITY_ID,
        unit=UNIT,
        kind=ActivityKind.SEMINAR,
        topic="学习",
        held_on=held_on,
        audience=audience,
        participants=participants,
    )
    return lambda activity: decide_log_activity(activity, unit_known, TODAY, command)


def correct(unit: str, patch: dict[str, Any]) -> Step:
    command = CorrectActivity(activity_id=ACTIVITY_ID, unit=unit, reason="更正", **patch)
    return lambda activity: decide_correct_activity(activity, TODAY, command)


def void(unit: str) -> Step:
    command = VoidActivity(activity_id=ACTIVITY_ID, unit=unit, reason="重复录入")
    return lambda activity: decide_void_activity(activity, command)


units = st.sampled_from([UNIT, UNIT, UNIT, "3205.320506"])
patches = st.fixed_dictionaries(
    {},
    optional={
        "audience": st.none() | st.integers(0, 5),
        "participants": st.none() | names,
        "held_on": st.none() | days,
        "topic": st.none() | st.sampled_from(["学习", "宣讲"]),
        "venue": st.none() | st.just("会议室"),
        "duration_minutes": st.none() | st.integers(1, 120),
        "evidence": st.none() | hashes,
    },
)
corrections = st.builds(correct, units, patches)
activity_steps = st.one_of(
    st.builds(log, days, st.integers(0, 5), names, st.booleans()),
    corrections,
    corrections,
    st.builds(void, units),
)


def the_audience_counts_every_named_participant(activity: Activity) -> None:
    if activity.facts is not None:
        assert activity.facts.audience >= len(activity.facts.participants) >= 0


def an_activity_was_held_by_today(activity: Activity) -> None:
    if activity.facts is not None:
        assert activity.facts.held_on <= TODAY


def corrections_are_counted_from_zero(activity: Activity) -> None:
    assert activity.corrections >= 0


ACTIVITY_RULES = (
    the_audience_counts_every_named_participant,
    an_activity_was_held_by_today,
    corrections_are_counted_from_zero,
)


@given(script=st.lists(activity_steps, min_size=6, max_size=25))
def test_any_sequence_of_activity_commands_keeps_the_activity_rules(script: list[Step]) -> None:
    stream = Stream(Activity(), evolve_activity)
    voided_at: int | None = None
    for decide in script:
        stream.attempt(decide)
        for rule in ACTIVITY_RULES:
            rule(stream.state)
        if stream.state.voided and voided_at is None:
            voided_at = stream.version
    if voided_at is not None:
        assert stream.version == voided_at, "a voided activity is final: nothing is recorded after it"
    state_is_its_events(stream)

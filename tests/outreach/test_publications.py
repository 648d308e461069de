"""三审三校, given/when/then: three stages in order, three different people, none of them the author,
the third a leader; any stage may send back; publication only on an active outlet on the unit's line."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.commands import Role
from contracts.outreach import (
    PublicationPublished,
    PublicationStatus,
    PublicationViewsRecorded,
    Publish,
    RecordViews,
    RevisePublication,
)
from services.eventkit.errors import AlreadyExists, DomainError, Forbidden, NotFound
from services.outreach.domain.publications import (
    Outlet,
    Publication,
    decide_publish,
    decide_record_views,
    decide_review,
    decide_revise,
    decide_submit,
)
from tests.outreach.publication_given import (
    APPROVED,
    CLERK,
    LEADER,
    OUTLET,
    TODAY,
    UNIT,
    play,
    review,
    submit,
    submitted,
    through,
)


def test_three_different_people_take_it_through_the_three_stages() -> None:
    events = submitted()
    assert play(*events).status is PublicationStatus.AWAITING_FIRST
    events = through(*APPROVED[:1])
    assert play(*events).status is PublicationStatus.AWAITING_SECOND
    events = through(*APPROVED[:2])
    assert play(*events).status is PublicationStatus.AWAITING_THIRD
    events = through(*APPROVED)
    assert play(*events).status is PublicationStatus.APPROVED


@pytest.mark.parametrize(
    "steps",
    [
        (("first", "editor", CLERK), ("second", "editor", CLERK)),
        (("first", "editor", LEADER), ("second", "head", CLERK), ("third", "editor", LEADER)),
        (("first", "editor", CLERK), ("second", "boss", LEADER), ("third", "boss", LEADER)),
    ],
)
def test_no_person_signs_two_stages(steps: tuple[tuple[str, str, frozenset[Role]], ...]) -> None:
    events = through(*steps[:-1])
    stage, reviewer, roles = steps[-1]
    with pytest.raises(Forbidden, match="different person"):
        decide_review(play(*events), reviewer, roles, review(stage))


def test_the_author_reviews_no_stage() -> None:
    with pytest.raises(Forbidden, match="wrote"):
        decide_review(play(*submitted()), "author", LEADER, review("first"))


def test_stages_go_in_order() -> None:
    with pytest.raises(DomainError, match="初审") as refused:
        decide_review(play(*submitted()), "head", CLERK, review("second"))
    assert refused.value.field == "stage"


def test_the_third_review_is_a_leaders() -> None:
    with pytest.raises(Forbidden, match="leader"):
        decide_review(play(*through(*APPROVED[:2])), "clerk-3", CLERK, review("third"))


def test_any_stage_sends_back_with_comments_and_the_revision_starts_a_new_round() -> None:
    events = through(*APPROVED[:2])
    with pytest.raises(DomainError, match="change"):
        decide_review(play(*events), "leader", LEADER, review("third", "send_back"))
    events += decide_review(
        play(*events), "leader", LEADER, review("third", "send_back", comments="标题不准确")
    )
    assert play(*events).status is PublicationStatus.RETURNED
    with pytest.raises(DomainError, match="not waiting"):
        decide_review(play(*events), "other", CLERK, review("first"))
    revise = RevisePublication(publication_id="pub-2025-0001", unit=UNIT, note="改标题", title="新标题")
    events += decide_revise(play(*events), None, "author", revise)
    state = play(*events)
    assert (state.status, state.round, state.title, state.signers) == (
        PublicationStatus.AWAITING_FIRST,
        2,
        "新标题",
        {},
    )
    # a new round: the second-stage reviewer of round one may now take the first stage
    events += decide_review(state, "head", CLERK, review("first"))
    assert play(*events).signers


def test_only_a_returned_piece_is_revised() -> None:
    revise = RevisePublication(publication_id="pub-2025-0001", unit=UNIT, note="改")
    with pytest.raises(DomainError, match="sent back"):
        decide_revise(play(*submitted()), None, "author", revise)


def test_a_piece_goes_out_only_after_all_three_reviews_on_an_active_outlet() -> None:
    publish = Publish(publication_id="pub-2025-0001", unit=UNIT, published_on=date(2025, 6, 28))
    with pytest.raises(DomainError, match="three reviews"):
        decide_publish(play(*through(*APPROVED[:2])), OUTLET, TODAY, publish)
    approved = play(*through(*APPROVED))
    closed = Outlet("wx-320506", "3205.320506", "closed", date(2024, 1, 1))
    with pytest.raises(DomainError, match="closed"):
        decide_publish(approved, closed, TODAY, publish)
    with pytest.raises(NotFound):
        decide_publish(approved, None, TODAY, publish)
    (event,) = decide_publish(approved, OUTLET, TODAY, publish)
    assert isinstance(event, PublicationPublished)
    assert (event.outlet_id, event.outlet_unit) == ("wx-320506", "3205.320506")
    with pytest.raises(AlreadyExists):
        decide_publish(play(*through(*APPROVED), event), OUTLET, TODAY, publish)


def test_submission_is_refused_on_an_unknown_closed_or_unrelated_outlet() -> None:
    with pytest.raises(NotFound):
        decide_submit(Publication(), True, None, "author", submit())
    suspended = Outlet("wx-320506", "3205.320506", "suspended", date(2024, 1, 1))
    with pytest.raises(DomainError, match="suspended"):
        decide_submit(Publication(), True, suspended, "author", submit())
    sibling = Outlet("wx-320507", "3205.320507", "active", date(2024, 1, 1))
    with pytest.raises(NotFound) as beside:  # a sibling's outlet reads as a missing one
        decide_submit(Publication(), True, sibling, "author", submit(outlet_id="wx-320507"))
    with pytest.raises(NotFound) as missing:
        decide_submit(Publication(), True, None, "author", submit(outlet_id="wx-320507"))
    assert beside.value.message == missing.value.message
    assert "3205.320507" not in beside.value.message
    below = Outlet("board-1", UNIT + ".dept01", "active", date(2024, 1, 1))
    assert decide_submit(Publication(), True, below, "author", submit(outlet_id="board-1"))
    with pytest.raises(AlreadyExists):
        decide_submit(play(*submitted()), True, OUTLET, "author", submit())


def test_views_are_counted_once_published() -> None:
    views = RecordViews(publication_id="pub-2025-0001", unit=UNIT, views=1500, as_of=TODAY)
    with pytest.raises(DomainError, match="not published"):
        decide_record_views(play(*through(*APPROVED)), TODAY, views)
    published = through(*APPROVED) + decide_publish(
        play(*through(*APPROVED)),
        OUTLET,
        TODAY,
        Publish(publication_id="pub-2025-0001", unit=UNIT, published_on=TODAY),
    )
    (event,) = decide_record_views(play(*published), TODAY, views)
    assert isinstance(event, PublicationViewsRecorded)
    assert (event.views, event.previous) == (1500, 0)
    assert decide_record_views(play(*published, event), TODAY, views) == []  # the same figure again

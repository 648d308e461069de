"""三校, given/when/then: three proofreads in order, by three different people within a review round,
on a piece neither sent back nor published; a revision starts them again; once begun, all three come
before publishing — while a piece never proofread is published as before (the existing 三审 rule)."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.outreach import PublicationPublished, Publish, RevisePublication
from contracts.outreach_proofreads import ProofreadPublication, PublicationProofread
from contracts.registry import DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, Forbidden, NotFound
from services.outreach.domain.proofreads import decide_proofread
from services.outreach.domain.publications import decide_publish, decide_review, decide_revise
from tests.outreach.publication_given import (
    APPROVED,
    CLERK,
    OUTLET,
    TODAY,
    UNIT,
    play,
    review,
    submitted,
    through,
)


def proofread(number: int, **changes: Any) -> ProofreadPublication:
    body = {"publication_id": "pub-2025-0001", "unit": UNIT, "proofread": number}
    return ProofreadPublication.model_validate(body | changes)


def proofread_by(events: list[DomainEvent], *people: str) -> list[DomainEvent]:
    """Each person does the next proofread in turn."""
    for person in people:
        events = events + decide_proofread(
            play(*events), person, proofread(len(play(*events).proofreaders) + 1)
        )
    return events


PUBLISH = Publish(publication_id="pub-2025-0001", unit=UNIT, published_on=TODAY)


def test_three_proofreads_in_order_by_three_people_are_recorded_in_the_round() -> None:
    events = proofread_by(submitted(), "proof1", "proof2", "proof3")
    done = [event for event in events if isinstance(event, PublicationProofread)]
    assert [(e.proofread, e.proofreader, e.round) for e in done] == [
        (1, "proof1", 1),
        (2, "proof2", 1),
        (3, "proof3", 1),
    ]
    assert play(*events).proofreaders == {1: "proof1", 2: "proof2", 3: "proof3"}


def test_proofreads_go_in_order_and_stop_at_three() -> None:
    with pytest.raises(DomainError) as skipped:
        decide_proofread(play(*submitted()), "proof2", proofread(2))
    assert skipped.value.field == "proofread"
    events = proofread_by(submitted(), "proof1", "proof2", "proof3")
    with pytest.raises(AlreadyExists):
        decide_proofread(play(*events), "proof4", proofread(3))


def test_no_person_does_two_proofreads_of_a_round() -> None:
    events = proofread_by(submitted(), "proof1")
    with pytest.raises(Forbidden) as refused:
        decide_proofread(play(*events), "proof1", proofread(2))
    assert refused.value.field == "actor"


def test_a_piece_of_another_unit_is_not_found() -> None:
    with pytest.raises(NotFound):
        decide_proofread(play(*submitted()), "proof1", proofread(1, unit="3205.320507"))


def test_once_proofreading_has_begun_all_three_come_before_publishing() -> None:
    approved = proofread_by(through(*APPROVED), "proof1", "proof2")
    with pytest.raises(DomainError) as refused:
        decide_publish(play(*approved), OUTLET, TODAY, PUBLISH)
    assert (refused.value.field, refused.value.rule) == ("publication_id", "proofreads_incomplete")
    (published,) = decide_publish(play(*proofread_by(approved, "proof3")), OUTLET, TODAY, PUBLISH)
    assert isinstance(published, PublicationPublished)


def test_a_piece_never_proofread_is_published_as_before() -> None:
    (published,) = decide_publish(play(*through(*APPROVED)), OUTLET, TODAY, PUBLISH)
    assert isinstance(published, PublicationPublished)


def test_a_published_or_sent_back_piece_takes_no_proofread() -> None:
    approved = through(*APPROVED)
    published = approved + decide_publish(play(*approved), OUTLET, TODAY, PUBLISH)
    with pytest.raises(DomainError):
        decide_proofread(play(*published), "proof1", proofread(1))
    events = submitted()
    back = events + decide_review(
        play(*events), "editor", CLERK, review("first", "send_back", comments="数据有误")
    )
    with pytest.raises(DomainError):
        decide_proofread(play(*back), "proof1", proofread(1))


def test_a_revision_starts_the_proofreads_again_and_all_three_are_still_needed() -> None:
    events = proofread_by(submitted(), "proof1", "proof2", "proof3")
    events += decide_review(
        play(*events), "editor", CLERK, review("first", "send_back", comments="标题需修改")
    )
    revise = RevisePublication(publication_id="pub-2025-0001", unit=UNIT, note="已改标题")
    events += decide_revise(play(*events), None, "author", revise)
    assert play(*events).proofreaders == {}
    for stage, reviewer, roles in APPROVED:
        events += decide_review(play(*events), reviewer, roles, review(stage))
    with pytest.raises(DomainError):
        decide_publish(play(*events), OUTLET, TODAY, PUBLISH)
    (again,) = decide_proofread(play(*events), "proof1", proofread(1))
    assert isinstance(again, PublicationProofread)
    assert again.round == 2

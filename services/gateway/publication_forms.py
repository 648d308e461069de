"""Publication (三审三校) forms: which fields each step asks for, which steps a publication's state offers
to whom, and the command body a filled form makes. The rules themselves stay in the outreach domain
(services/outreach/domain/publications.py); the page only leaves out forms the domain would refuse, so
that a clerk is not offered a step they cannot take. The domain refuses a forged one all the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.commands import COMMANDS, Actor, Command, Role
from contracts.outreach import (
    REVIEW_ROLES,
    PublicationKind,
    PublicationStatus,
    ReviewDecision,
    ReviewStage,
    SubmitPublication,
)
from contracts.units import is_within
from services.gateway.form_fields import FormField, choice, form_body

SUBMIT_FIELDS = (
    choice("kind", PublicationKind, "summary.publication_kind"),
    FormField("title"),
    FormField("outlet_id", "pick"),  # one of the outlets the unit may use (usable_outlets)
    FormField("column", optional=True),
    FormField("summary", "textarea", optional=True),
)
REVIEW_FIELDS = (
    choice("decision", ReviewDecision, "decision"),
    FormField("comments", "textarea", optional=True),
)
REVISE_FIELDS = (
    FormField("note", "textarea"),
    FormField("title", optional=True),
    FormField("summary", "textarea", optional=True),
)
PUBLISH_FIELDS = (FormField("published_on", "date"), FormField("url", optional=True))
VIEWS_FIELDS = (FormField("views", "number"), FormField("as_of", "date"))  # the outlet's latest figure
STAGE_OF = {
    PublicationStatus.AWAITING_FIRST.value: ReviewStage.FIRST,
    PublicationStatus.AWAITING_SECOND.value: ReviewStage.SECOND,
    PublicationStatus.AWAITING_THIRD.value: ReviewStage.THIRD,
}


@dataclass(frozen=True)
class PublicationStep:
    """A step of 三审三校 as a form: the command it sends, at which state, and (for a review) its stage."""

    step: str
    command: str
    fields: tuple[FormField, ...]
    status: PublicationStatus
    stage: ReviewStage | None = None

    @property
    def model(self) -> type[Command]:
        return COMMANDS[self.command]


def review_step(stage: ReviewStage, status: PublicationStatus) -> PublicationStep:
    return PublicationStep(
        f"review_{stage.value}", "outreach.review_publication", REVIEW_FIELDS, status, stage
    )


STEPS = {
    step.step: step
    for step in (
        review_step(ReviewStage.FIRST, PublicationStatus.AWAITING_FIRST),
        review_step(ReviewStage.SECOND, PublicationStatus.AWAITING_SECOND),
        review_step(ReviewStage.THIRD, PublicationStatus.AWAITING_THIRD),
        PublicationStep("revise", "outreach.revise_publication", REVISE_FIELDS, PublicationStatus.RETURNED),
        PublicationStep("publish", "outreach.publish", PUBLISH_FIELDS, PublicationStatus.APPROVED),
        PublicationStep("record_views", "outreach.record_views", VIEWS_FIELDS, PublicationStatus.PUBLISHED),
    )
}


def authors(publication: dict[str, Any], history: list[dict[str, Any]]) -> set[str]:
    """Who wrote or revised the piece (they sign no review): the submitter and every reviser."""
    found = {str(publication["submitted_by"])}
    found |= {
        str(entry["data"].get("revised_by"))
        for entry in history
        if entry["type"] == "outreach.publication_revised" and entry["data"].get("revised_by")
    }
    return found


def signed_by(publication: dict[str, Any], person: str) -> bool:
    """Whether ``person`` approved a stage of this round already (the view keeps this round's reviews)."""
    return any(
        review.get("reviewer") == person and review.get("decision") == ReviewDecision.APPROVE.value
        for review in (publication.get("reviews") or {}).values()
    )


def may_review(publication: dict[str, Any], writers: set[str], actor: Actor) -> bool:
    """Whether the piece waits for a review this actor may sign: a review role, not one of its writers,
    no other stage of this round signed, and a leader for 终审."""
    stage = STAGE_OF.get(publication["status"])
    if stage is None or not actor.roles & REVIEW_ROLES:
        return False
    if actor.id in writers or signed_by(publication, actor.id):
        return False
    return stage is not ReviewStage.THIRD or Role.LEADER in actor.roles


def offered_steps(publication: dict[str, Any], writers: set[str], actor: Actor) -> list[PublicationStep]:
    """The one step the publication's state allows now, if this actor may take it."""
    found = []
    for step in STEPS.values():
        if step.status.value != publication["status"] or not actor.roles & step.model.allowed_roles:
            continue
        if step.stage is not None and not may_review(publication, writers, actor):
            continue
        found.append(step)
    return found


def waiting_first(publications: list[dict[str, Any]], actor: Actor) -> list[dict[str, Any]]:
    """The list with the pieces waiting for this actor's review first (a reviser, whom only the full
    history names, is told on the publication's page), each marked ``mine``."""
    marked = [p | {"mine": may_review(p, {str(p["submitted_by"])}, actor)} for p in publications]
    return sorted(marked, key=lambda p: not p["mine"])


def usable_outlets(outlets: list[dict[str, Any]], unit: str) -> list[dict[str, Any]]:
    """The active outlets on the unit's line: its own, one above it, one below it (the domain's rule in
    check_outlet); a sibling's is never offered."""
    return [
        outlet
        for outlet in outlets
        if outlet["status"] == "active"
        and (is_within(unit, outlet["unit"]) or is_within(outlet["unit"], unit))
    ]


def can_submit(actor: Actor) -> bool:
    return bool(actor.roles & SubmitPublication.allowed_roles)


def step_body(step: PublicationStep, publication: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The step's command body: the publication and its unit from the record, the stage from the step,
    the rest from the form (a forged ``unit`` or ``publication_id`` in the form is never read)."""
    body = {
        "publication_id": publication["publication_id"],
        "unit": publication["unit"],
        **form_body(step.fields, values),
    }
    if step.stage is not None:
        body["stage"] = step.stage.value
    return body


def submit_body(publication_id: str, unit: str, values: dict[str, str]) -> dict[str, Any]:
    return {"publication_id": publication_id, "unit": unit, **form_body(SUBMIT_FIELDS, values)}


def publish_defaults(today: date) -> dict[str, str]:
    """What the publish and views forms hold before anyone types: published today, views read today."""
    return {"published_on": today.isoformat(), "as_of": today.isoformat()}

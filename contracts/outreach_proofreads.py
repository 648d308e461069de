"""Outreach context, 三校: the three proofreadings (一校、二校、三校) that go with the three reviews of a
publication (三审三校). Each is recorded as a stage of the piece's life, in order and by three different
people within one review round; a revision starts the proofreads again with the reviews. A piece whose
proofreading has begun is published only after all three (services/outreach/domain/proofreads.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from contracts.commands import Command, command
from contracts.inputs import MULTILINE
from contracts.occurrence import StatedOccurrence
from contracts.outreach import REVIEW_ROLES, PublicationId
from contracts.registry import DomainEvent, event
from contracts.units import UnitPath

PROOFREADS = 3
ProofreadNumber = Annotated[int, Field(ge=1, le=PROOFREADS, description="1, 2 or 3: 一校、二校、三校")]
Corrections = Annotated[int, Field(ge=0, le=10_000, description="how many errors this proofread corrected")]


@command("outreach.proofread_publication", roles=REVIEW_ROLES)
class ProofreadPublication(Command, StatedOccurrence):
    """Record a proofread of a piece not yet published: the next one of its round, by someone who did
    no other proofread of that round."""

    publication_id: PublicationId
    unit: UnitPath
    proofread: ProofreadNumber
    corrections: Corrections = 0
    note: Annotated[str, Field(max_length=500), MULTILINE] | None = None


@event("outreach.publication_proofread")
class PublicationProofread(DomainEvent):
    publication_id: str
    unit: UnitPath
    round: int = Field(ge=1, description="the review round it belongs to")
    proofread: int = Field(ge=1, le=PROOFREADS)
    corrections: int = Field(ge=0)
    note: str | None = None
    proofreader: str
    occurred_at: AwareDatetime | None = Field(default=None, description="when the stage happened")
    backdate_reason: str | None = None

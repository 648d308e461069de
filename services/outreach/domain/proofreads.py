"""三校 rules, pure: the three proofreads of a publication's review round, in order (一校 → 二校 → 三校),
each by a different person, on a piece that is neither sent back nor published. The rule that holds a
piece back until its proofreads are done is decide_publish's (publications.py)."""

from __future__ import annotations

from contracts.outreach import PublicationStatus
from contracts.outreach_proofreads import PROOFREADS, ProofreadPublication, PublicationProofread
from contracts.registry import DomainEvent
from services.eventkit.errors import AlreadyExists, DomainError, Forbidden
from services.outreach.domain.publications import Publication, existing_status

NAMES = {1: "一校", 2: "二校", 3: "三校"}


def decide_proofread(
    publication: Publication, proofreader: str, command: ProofreadPublication
) -> list[DomainEvent]:
    """Record the next proofread of the piece's round, by someone who did none of that round yet."""
    status = existing_status(publication, command.publication_id, command.unit)
    if status is PublicationStatus.PUBLISHED:
        raise DomainError(
            f"publication {command.publication_id} is published: proofreads come before publishing",
            field="publication_id",
        )
    if status is PublicationStatus.RETURNED:
        raise DomainError(
            f"publication {command.publication_id} was sent back: proofread the revised piece",
            field="publication_id",
        )
    done = len(publication.proofreaders)
    if done >= PROOFREADS:
        raise AlreadyExists("all three proofreads of this round are recorded", field="proofread")
    if command.proofread != done + 1:
        raise DomainError(
            f"the piece is waiting for {NAMES[done + 1]} (proofread {done + 1}), not {NAMES[command.proofread]}",
            field="proofread",
        )
    did = [number for number, person in publication.proofreaders.items() if person == proofreader]
    if did:
        raise Forbidden(
            f"you did {NAMES[did[0]]} already; each of the three proofreads needs a different person",
            field="actor",
        )
    return [
        PublicationProofread(
            publication_id=command.publication_id,
            unit=command.unit,
            round=publication.round,
            proofread=command.proofread,
            corrections=command.corrections,
            note=command.note,
            proofreader=proofreader,
        )
    ]

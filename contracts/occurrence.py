"""When a stated fact happened versus when Sanji recorded it (补录, a back-dated entry).

A command that states a fact says the local day it happened; the envelope's time stays the time it was
recorded. The door already refuses a day in the future (contracts.inputs); a day more than
``BACKDATE_DAYS`` before the day it is recorded needs a reason (services/eventkit/backdating.py), and
the reason travels in the event so that an audit view can list back-dated entries."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from contracts.inputs import MULTILINE

# A month covers the usual lag of monthly reporting; anything older is a back-fill that must say why.
BACKDATE_DAYS = 30

BackdateReason = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        description=f"why a fact is recorded more than {BACKDATE_DAYS} days after it happened (补录)",
    ),
    MULTILINE,
]


class StatedOccurrence(BaseModel):
    """Fields of a command that says when the fact it records happened (mixed into the command)."""

    occurred_at: AwareDatetime | None = Field(
        default=None,
        description="when it happened (not in the future, not before the step it follows); left out, the"
        " time it is recorded",
    )
    backdate_reason: BackdateReason | None = None

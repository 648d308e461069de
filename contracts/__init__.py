"""Sanji's published contracts: envelope, unit paths, subjects, events and commands. No I/O here."""

# Importing registers every event and command.
from contracts import (  # noqa: F401
    assessment,
    duty,
    opinion,
    outreach,
    outreach_backfill,
    outreach_meetings,
    outreach_proofreads,
    outreach_records,
    outreach_submissions,
    outreach_taxonomy,
)

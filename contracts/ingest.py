"""What other systems may send on ``sanji.ingest.<context>.<kind>.<system>.<city>.<county>.<township>``:
each kind is served by one command, with the command's body, validation and reply. The sender acts as the
system the subject names (``system:<name>``, role SYSTEM) within the subtree its unit tokens name."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.commands import Command
from contracts.opinion import FileNilReport, IngestItem
from contracts.outreach import LogActivities, RecordViews
from contracts.outreach_meetings import RecordMeetings
from contracts.outreach_submissions import RecordAdoption, RecordSubmission


@dataclass(frozen=True)
class IngestKind:
    context: str
    kind: str
    command: type[Command]


INGEST = (
    # activities from an e-learning or statistics platform (up to 500 a request)
    IngestKind("outreach", "activity", LogActivities),
    # meetings back-filled from an office's register (up to 500 a request)
    IngestKind("outreach", "meeting", RecordMeetings),
    # items of information sent upward (信息报送), from an OA or e-learning system, one a request
    IngestKind("outreach", "submission", RecordSubmission),
    # their adoptions (录用) by an outlet, one a request
    IngestKind("outreach", "adoption", RecordAdoption),
    # view counts read from an outlet's platform
    IngestKind("outreach", "publication_views", RecordViews),
    # items a monitoring platform captured (deduplicated by source + external id)
    IngestKind("opinion", "item", IngestItem),
    # the monitoring platform's nil reports for its posts
    IngestKind("opinion", "nil_report", FileNilReport),
)


def kinds_of(context: str) -> dict[str, type[Command]]:
    """The ingest kinds a context serves: kind → the command that serves it."""
    return {entry.kind: entry.command for entry in INGEST if entry.context == context}

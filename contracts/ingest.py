"""What other systems may send on ``sanji.ingest.<context>.<kind>.<system>.<city>.<county>.<township>``:
each kind is served by one command, with the command's body, validation and reply. The sender acts as the
system the subject names (``system:<name>``, role SYSTEM) within the subtree its unit tokens name."""

from __future__ import annotations

from contracts.commands import Command
from contracts.opinion import FileNilReport, IngestItem
from contracts.outreach import LogActivities, RecordViews

INGEST: dict[str, dict[str, type[Command]]] = {
    # activities from an e-learning or statistics platform (up to 500 a request); view counts read from
    # an outlet's platform
    "outreach": {"activity": LogActivities, "publication_views": RecordViews},
    # items a monitoring platform captured (deduplicated by source + external id); its posts' nil reports
    "opinion": {"item": IngestItem, "nil_report": FileNilReport},
}

"""NATS subjects. Unit levels sit in fixed positions so that NATS permissions alone can confine a
county's credentials to its subtree (``sanji.ev.*.*.3205.320506.>``). No aggregate ids appear in
subjects: the number of distinct tokens stays bounded."""

from __future__ import annotations

from contracts.units import subject_tokens

EVENTS_STREAM = "SANJI_EVENTS"
EVENTS_SUBJECTS = "sanji.ev.>"
DLQ_STREAM = "SANJI_DLQ"
DLQ_SUBJECTS = "sanji.dlq.>"


def event_subject(event_type: str, unitpath: str) -> str:
    """``duty.unit_registered`` at ``3205.320506`` → ``sanji.ev.duty.unit_registered.3205.320506._``."""
    context, _, name = event_type.partition(".")
    city, county, township = subject_tokens(unitpath)
    return f"sanji.ev.{context}.{name}.{city}.{county}.{township}"


def event_filter(context: str = "*", name: str = "*") -> str:
    """A filter subject for one context and/or event name at every unit."""
    return f"sanji.ev.{context}.{name}.>"


def command_subject(command_name: str) -> str:
    """``outreach.log_activity`` → ``sanji.cmd.outreach.log_activity``."""
    return f"sanji.cmd.{command_name}"


def query_subject(name: str) -> str:
    return f"sanji.qry.{name}"


def ingest_subject(context: str, kind: str) -> str:
    """Where other systems publish inbound facts, e.g. ``sanji.ingest.outreach.activity``."""
    return f"sanji.ingest.{context}.{kind}"


def dead_letter_subject(consumer: str) -> str:
    return f"sanji.dlq.dead.{consumer}"


def retry_subject(consumer: str) -> str:
    return f"sanji.dlq.retry.{consumer}"

"""NATS subjects. Unit levels sit in fixed positions so that NATS permissions alone can confine a
county's credentials to its subtree (``sanji.ev.*.*.3205.320506.>``). No aggregate ids appear in
subjects: the number of distinct tokens stays bounded."""

from __future__ import annotations

import itertools

from contracts.units import NOT_APPLICABLE, UnitPathError, parse_unit_path, subject_tokens

EVENTS_STREAM = "SANJI_EVENTS"
EVENTS_SUBJECTS = "sanji.ev.>"


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


def ingest_subject(context: str, kind: str, system: str, scope: str) -> str:
    """Where a system publishes inbound facts for a subtree: ``opinion``, ``item``, ``monitor``, ``3205``
    → ``sanji.ingest.opinion.item.monitor.3205._._``. The sender's name and subtree sit in fixed positions,
    so NATS permissions alone hold each system to its own (the responder acts as exactly that)."""
    city, county, township = subject_tokens(scope)
    return f"sanji.ingest.{context}.{kind}.{system}.{city}.{county}.{township}"


def ingest_filter(context: str, kind: str) -> str:
    """What a service subscribes to for one ingest kind: every system, every unit."""
    return f"sanji.ingest.{context}.{kind}.*.*.*.*"


class IngestSubjectError(ValueError):
    """An ingest subject whose sender or unit tokens cannot be read."""


def ingest_origin(subject: str) -> tuple[str, str]:
    """The sending system and the subtree it reports for, read from an ingest subject."""
    tokens = subject.split(".")
    if len(tokens) != 8 or tokens[:2] != ["sanji", "ingest"]:
        raise IngestSubjectError(
            f"'{subject}' is not sanji.ingest.<context>.<kind>.<system>.<city>.<county>.<township>"
        )
    system, levels = tokens[4], tokens[5:]
    codes = list(itertools.takewhile(lambda token: token != NOT_APPLICABLE, levels))
    if any(token != NOT_APPLICABLE for token in levels[len(codes) :]):
        raise IngestSubjectError(f"'{subject}': a unit level follows a '{NOT_APPLICABLE}'")
    try:
        return system, parse_unit_path(".".join(codes))
    except UnitPathError as error:
        raise IngestSubjectError(f"'{subject}': {error}") from None

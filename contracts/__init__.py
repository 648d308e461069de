"""Sanji's published contracts: envelope, unit paths, subjects, events and commands. No I/O here."""

from contracts import assessment, duty, opinion, outreach, outreach_meetings, outreach_taxonomy  # noqa: F401  (importing registers every event and command)

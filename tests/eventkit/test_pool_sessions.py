"""The pool skips asyncpg's session reset on release (services/eventkit/db.py), which is only safe while
no code leaves session state on a pooled connection. This guard fails when code starts to: a session
advisory lock outside the relay (which releases its own), a LISTEN, a session-wide SET, a temporary
table or a cursor held past its transaction, in the services' Python and SQL."""

from __future__ import annotations

import re
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"

SESSION_STATE = {
    "session advisory lock": re.compile(r"pg_(try_)?advisory_lock(_shared)?\s*\("),
    "LISTEN": re.compile(r"add_listener\s*\(|[\"'\s]LISTEN\s"),
    "session SET": re.compile(r"execute\(\s*f?[\"']SET\s+(?!LOCAL\b)|set_config\s*\(", re.IGNORECASE),
    "temporary table": re.compile(r"CREATE\s+(GLOBAL\s+|LOCAL\s+)?TEMP(ORARY)?\s", re.IGNORECASE),
    "held cursor": re.compile(r"WITH\s+HOLD", re.IGNORECASE),
}
ALLOWED = {("session advisory lock", "eventkit/relay.py")}  # unlocked, or its connection discarded


def test_no_code_leaves_session_state_on_a_pooled_connection() -> None:
    found = []
    for path in sorted([*SERVICES.rglob("*.py"), *SERVICES.rglob("*.sql")]):
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(SERVICES).as_posix()
        for what, pattern in SESSION_STATE.items():
            if pattern.search(text) and (what, relative) not in ALLOWED:
                found.append(f"{relative}: {what}")
    assert not found, "session state on pooled connections (see services/eventkit/db.py): " + ", ".join(found)


def test_the_guard_sees_what_it_looks_for() -> None:
    samples = {
        "session advisory lock": 'await conn.fetchval("SELECT pg_advisory_lock($1)", key)',
        "LISTEN": 'await conn.add_listener("wake", callback)',
        "session SET": 'await conn.execute("SET statement_timeout = 0")',
        "temporary table": "CREATE TEMP TABLE staged (id int)",
        "held cursor": "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
    }
    for what, sample in samples.items():
        assert SESSION_STATE[what].search(sample), what
    assert not SESSION_STATE["session SET"].search('await conn.execute("SET LOCAL search_path TO x")')
    assert not SESSION_STATE["session advisory lock"].search("SELECT pg_advisory_xact_lock($1)")

"""The fault campaign's load and ledger: careful clients (commands through the gateway, each retried with
its Idempotency-Key) and an external system ingesting activities over NATS (each batch retried with its
command id), both writing into the current phase's own township, so the views count every phase apart."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats.errors
from nats.aio.client import Client as NatsClient

from contracts.subjects import ingest_subject
from services.eventkit.busconnect import connect
from services.eventkit.bususers import load_passwords

CITY, COUNTY = "3205", "3205.320506"
SYSTEM = "elearning"  # an external system granted outreach's ingest for the whole city (bususers.py)
SOURCE = "campaign-elearning"
ROWS_PER_BATCH = 10
RETRY_PAUSE = 0.2
INGEST_TIMEOUT = 10.0
TRANSIENT_CODES = ("unavailable", "internal", "conflict")  # the service or its servers were away: again


def township(phase: int) -> str:
    """The township a phase writes into: its activities are counted apart from every other phase's."""
    return f"{COUNTY}.320506{phase + 1:03d}"


@dataclass
class Tally:
    """One phase: what the senders sent and were told, and what the views count in its township."""

    fault: str
    unit: str
    sent: int = 0  # requests, retries included (an ingest batch counts once per request)
    acknowledged: set[str] = field(default_factory=set)  # activities the senders were told are stored
    refused: int = 0  # requests answered with an error or not at all, then sent again
    replayed: int = 0  # already acknowledged requests sent again (same key / command id / external ids)
    replay_new: int = 0  # of those, replies that stored something new (must stay 0)
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0  # how long the phase lasted: the fault, the recovery and the load going on
    counted: int = 0  # the views' activity count of the phase's township, at the end


class Ledger:
    """The phases in order; the senders write into the current one's township."""

    def __init__(self) -> None:
        self.phases: list[Tally] = []

    def begin(self, fault: str) -> Tally:
        if self.phases:
            self.phases[-1].seconds = time.monotonic() - self.phases[-1].started
        self.phases.append(Tally(fault, township(len(self.phases))))
        return self.phases[-1]

    def end(self) -> None:
        self.phases[-1].seconds = time.monotonic() - self.phases[-1].started

    @property
    def current(self) -> Tally:
        return self.phases[-1]

    def acknowledged(self) -> int:
        return sum(len(phase.acknowledged) for phase in self.phases)

    def table(self) -> str:
        """Per fault: what was sent, acknowledged, refused and counted (and replayed, for the flood)."""
        head = (
            f"{'fault':<28}{'township':<24}{'sent':>7}{'acked':>7}{'refused':>9}{'replayed':>10}{'counted':>9}"
            f"{'seconds':>9}"
        )
        rows = [
            f"{p.fault:<28}{p.unit:<24}{p.sent:>7}{len(p.acknowledged):>7}{p.refused:>9}"
            f"{p.replayed:>10}{p.counted:>9}{p.seconds:>9.0f}"
            for p in self.phases
        ]
        total = Tally(
            "total", "", sum(p.sent for p in self.phases), refused=sum(p.refused for p in self.phases)
        )
        replayed, counted = sum(p.replayed for p in self.phases), sum(p.counted for p in self.phases)
        rows.append(
            f"{total.fault:<28}{'':<24}{total.sent:>7}{self.acknowledged():>7}{total.refused:>9}"
            f"{replayed:>10}{counted:>9}"
        )
        return "\n".join([head, *rows])


def activity_body(activity_id: str, unit: str) -> dict[str, Any]:
    return {
        "activity_id": activity_id,
        "unit": unit,
        "kind": "outreach_talk",
        "topic": "民法典进社区",
        "held_on": "2026-03-02",
        "audience": 10,
    }


class CarefulClient:
    """Sends commands through the gateway; each is retried with its own Idempotency-Key until acknowledged."""

    def __init__(self, http: httpx.AsyncClient, ledger: Ledger) -> None:
        self.http, self.ledger = http, ledger
        self.stored: list[tuple[str, dict[str, Any]]] = []  # (key, body) of every acknowledged activity
        self.retries = 0
        self.stop = asyncio.Event()

    async def send(
        self, context: str, name: str, body: dict[str, Any], key: str, tally: Tally | None = None
    ) -> None:
        """Until a 200; a refusal that no retry can change (a 4xx other than 404/409/429) fails the test."""
        while True:
            if tally is not None:
                tally.sent += 1
            try:
                answer = await self.http.post(
                    f"/api/v1/commands/{context}/{name}", json=body, headers={"Idempotency-Key": key}
                )
            except httpx.TransportError:
                answer = None
            if answer is not None and answer.status_code == 200:
                return
            if answer is not None and answer.status_code < 500 and answer.status_code not in (404, 409, 429):
                raise AssertionError(f"{context}.{name} refused: {answer.status_code} {answer.text}")
            self.retries += 1  # unavailable, timed out, or the unit not learnt yet: the same key again
            if tally is not None:
                tally.refused += 1
            await asyncio.sleep(RETRY_PAUSE)

    async def log_activities(self) -> None:
        while not self.stop.is_set():
            tally = self.ledger.current
            activity = f"cmd-{uuid.uuid4().hex[:16]}"
            body = activity_body(activity, tally.unit)
            await self.send("outreach", "log_activity", body, activity, tally)
            tally.acknowledged.add(activity)
            self.stored.append((activity, body))

    async def replay(
        self, tally: Tally, stored: list[tuple[str, dict[str, Any]]], concurrency: int = 16
    ) -> None:
        """Acknowledged commands again, all at once, same key and body: each must get the stored reply."""
        pending = iter(stored)

        async def worker() -> None:
            for key, body in pending:
                tally.replayed += 1
                await self.send("outreach", "log_activity", body, key)

        await asyncio.gather(*(worker() for _ in range(concurrency)))


def system_url(nats_dir: Path) -> str:
    """The external system's URL on a `sanji up`'s embedded nats-server (port and password kept there)."""
    port = int((nats_dir / "port").read_text().strip())
    return f"nats://{SYSTEM}:{load_passwords(nats_dir)[SYSTEM]}@127.0.0.1:{port}"


class IngestingSystem:
    """An e-learning platform sending activity batches on its ingest subject, as its own NATS user; each
    batch is retried with its command id until a reply says every row is stored."""

    def __init__(self, nc: NatsClient, ledger: Ledger) -> None:
        self.nc, self.ledger = nc, ledger
        self.subject = ingest_subject("outreach", "activity", SYSTEM, CITY)
        self.stored: list[tuple[str, dict[str, Any]]] = []  # (command id, body) of every acknowledged batch
        self.stop = asyncio.Event()

    @classmethod
    async def connect(cls, nats_dir: Path, ledger: Ledger) -> IngestingSystem:
        nc = await connect(system_url(nats_dir), SYSTEM, max_reconnect_attempts=-1, reconnect_time_wait=0.5)
        return cls(nc, ledger)

    async def request(self, command_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """The reply, or None when nothing answered in time (the service or nats-server away)."""
        payload = json.dumps({"commandid": command_id, "body": body}).encode()
        try:
            message = await self.nc.request(self.subject, payload, timeout=INGEST_TIMEOUT)
        except (nats.errors.Error, TimeoutError):
            return None
        reply: dict[str, Any] = json.loads(message.data)
        return reply

    async def deliver(
        self, command_id: str, body: dict[str, Any], tally: Tally | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Send until every row is imported or a duplicate: the command id that got there and its reply.
        Rows refused for a unit outreach has not learnt yet go again under a new command id (the stored
        reply of the old one would repeat the refusal)."""
        while True:
            if tally is not None:
                tally.sent += 1
            reply = await self.request(command_id, body)
            if reply is not None and reply["ok"] and not reply["result"]["failed"]:
                return command_id, reply
            if reply is not None and reply["ok"]:
                errors = [e for r in reply["result"]["rows"] for e in r.get("errors", [])]
                assert all(e["field"] == "unit" for e in errors), errors  # only a unit not learnt yet
                command_id = f"ing-{uuid.uuid4().hex}"
            elif reply is not None and reply["error"]["code"] not in TRANSIENT_CODES:
                raise AssertionError(f"ingest refused: {reply['error']}")
            if tally is not None:
                tally.refused += 1
            await asyncio.sleep(RETRY_PAUSE)

    async def ingest(self) -> None:
        while not self.stop.is_set():
            tally = self.ledger.current
            rows = [
                {**activity_body("", tally.unit), "external_id": f"ext-{uuid.uuid4().hex[:16]}", "row": n}
                for n in range(1, ROWS_PER_BATCH + 1)
            ]
            for row in rows:
                del row["activity_id"]  # an ingested activity's id is derived from (source, external id)
            body = {"source": SOURCE, "unit": tally.unit, "rows": rows}
            command_id, reply = await self.deliver(f"ing-{uuid.uuid4().hex}", body, tally)
            tally.acknowledged.update(row["activity_id"] for row in reply["result"]["rows"])
            self.stored.append((command_id, body))

    async def replay(self, tally: Tally, stored: list[tuple[str, dict[str, Any]]]) -> None:
        """Acknowledged batches again, all at once, each under its command id and under a new one (the
        same external ids): every row must come back stored before, nothing imported anew."""

        async def again(command_id: str, body: dict[str, Any]) -> None:
            tally.replayed += 2
            await self.deliver(command_id, body)  # the stored reply, nothing appended
            _, reply = await self.deliver(f"ing-{uuid.uuid4().hex}", body)  # every row a duplicate
            tally.replay_new += int(reply["result"]["imported"])

        await asyncio.gather(*(again(command_id, body) for command_id, body in stored))

    async def close(self) -> None:
        await self.nc.close()


async def count_in_views(http: httpx.AsyncClient, unit: str) -> int:
    answer = await http.get(f"/api/v1/units/{unit}")
    answer.raise_for_status()
    return int(answer.json()["subtree"]["activities"])

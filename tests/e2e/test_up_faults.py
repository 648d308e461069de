"""The fault campaign: `sanji up` under a steady load of commands through the gateway (four clients, each
retrying with its Idempotency-Key) and of activities an external system ingests over NATS (retrying with
its command id), while, in a seeded random order and at random moments, every service is SIGKILLed,
nats-server and the PostgreSQL postmaster are SIGKILLed, outreach hangs (SIGSTOP) and the projection
stalls and resumes (SIGSTOP, SIGCONT); last, everything stored so far is replayed as a flood. Each phase
writes into a township of its own; afterwards every township's count in the views equals what its senders
were told is stored: nothing lost, nothing doubled, nothing parked for an operator.

The seed is printed; SANJI_CAMPAIGN_SEED=<seed> repeats the same order and moments."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from services import registry
from services.cli import endpoints
from services.cli.children import http_status
from services.cli.supervisor import recorded_process
from services.eventkit.db import connect
from services.eventkit.deadletters import list_parked
from services.eventkit.embedded import free_port
from tests.e2e.campaign import (
    CITY,
    COUNTY,
    CarefulClient,
    IngestingSystem,
    Ledger,
    Tally,
    count_in_views,
    township,
)
from tests.helpers import wait_until
from tests.up_process import Up, alive, assert_every_log_line_is_json

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
TOKEN = "dev-city-admin"
CLIENTS = 4
RECOVERY = 180.0  # seconds for a fault to be noticed, the process restarted and the load acknowledged again
COMMANDS_AFTER, BATCHES_AFTER = 20, 2  # acknowledged after a fault before the next: both kinds of load flow
REPLAYED_COMMANDS, REPLAYED_BATCHES = 400, 40  # the flood: sampled, so its length does not grow with the run
STALL_MAX = 12.0  # a stall stays well under the supervisor's 20 s hang watch (probes take up to 5 s): resumed, not restarted


class Campaign:
    """The running system, its load and the faults, with the seeded random source of their moments."""

    def __init__(self, up: Up, client: CarefulClient, system: IngestingSystem, rng: random.Random) -> None:
        self.up, self.client, self.system, self.rng = up, client, system, rng

    def pid_path(self, target: str) -> Path:
        servers = {"nats-server": ("nats", "nats.pid"), "PostgreSQL": ("pg", "postmaster.pid")}
        if target in servers:
            return self.up.data_dir.joinpath(*servers[target])
        return self.up.data_dir / "run" / f"service-{target}.pid"

    def recorded(self, target: str) -> int:
        path = self.pid_path(target)
        if path.suffix == ".pid" and path.parent.name == "run":
            process = recorded_process(path)
            return process.pid if process is not None else 0
        try:
            return int(path.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return 0

    def send_signal(self, target: str, sig: signal.Signals) -> int:
        pid = self.recorded(target)
        assert pid, f"no live process recorded for {target}"
        os.kill(pid, sig)
        return pid

    def replaced(self, target: str, old: int) -> bool:
        """A new process runs in the old one's place, and a service answers ready again."""
        now = self.recorded(target)
        if now in (0, old) or not alive(now):
            return False
        ports = json.loads((self.up.data_dir / "run" / "ports.json").read_text()) | {"gateway": self.up.port}
        return target not in ports or http_status(ports[target], timeout=1.0) == 200

    async def random_moment(self, low: float = 0.2, high: float = 2.0) -> None:
        at = time.monotonic() + self.rng.uniform(low, high)
        await wait_until(lambda: time.monotonic() >= at, timeout=high + 1, interval=0.1)

    def progress(self) -> Callable[[], bool]:
        """True once both kinds of load have been acknowledged again since now."""
        commands, batches = len(self.client.stored), len(self.system.stored)
        return lambda: (
            len(self.client.stored) >= commands + COMMANDS_AFTER
            and len(self.system.stored) >= batches + BATCHES_AFTER
        )

    async def comes_back(self, fault: str, target: str, sig: signal.Signals) -> None:
        """Signal the target at a random moment; it must be replaced and the load acknowledged again."""
        await self.random_moment()
        progressed = self.progress()
        victim = self.send_signal(target, sig)
        await wait_until(
            lambda: self.replaced(target, victim) and progressed(),
            timeout=RECOVERY,
            interval=0.5,
            message=f"{fault}: not back within {RECOVERY:.0f}s\n{self.up.output()[-4000:]}",
        )
        assert not alive(victim), f"{fault}: pid {victim} still runs"

    async def stall_projection(self, tally: Tally, http: httpx.AsyncClient) -> None:
        """SIGSTOP the projection for a random while (commands and ingest go on), SIGCONT: the same
        process resumes and catches up."""
        await self.random_moment()
        progressed, until = self.progress(), time.monotonic() + self.rng.uniform(3.0, 8.0)
        started = time.monotonic()
        victim = self.send_signal("projection", signal.SIGSTOP)
        try:
            await wait_until(
                lambda: (
                    (progressed() and time.monotonic() >= until) or time.monotonic() - started > STALL_MAX
                ),
                timeout=STALL_MAX + 5,
                interval=0.2,
            )
        finally:
            os.kill(victim, signal.SIGCONT)
        acknowledged = len(tally.acknowledged)

        async def caught_up() -> bool:
            return await count_in_views(http, tally.unit) >= acknowledged

        await wait_until(caught_up, timeout=RECOVERY, interval=0.5, message="the projection never resumed")
        assert self.recorded("projection") == victim, "the stalled projection was restarted, not resumed"

    async def replay_flood(self, tally: Tally) -> None:
        """A seeded sample of what was acknowledged, sent again at once: commands by key, ingest batches
        by command id and by external id."""
        commands = self.rng.sample(self.client.stored, min(REPLAYED_COMMANDS, len(self.client.stored)))
        batches = self.rng.sample(self.system.stored, min(REPLAYED_BATCHES, len(self.system.stored)))
        await asyncio.gather(self.client.replay(tally, commands), self.system.replay(tally, batches))
        assert tally.replay_new == 0, f"{tally.replay_new} replayed ingest rows were imported again"


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A folder of the run's own (not pytest's tmp, which other pytest runs may prune mid-test)."""
    folder = Path(tempfile.mkdtemp(prefix="sanji-faults-"))
    yield folder / "data"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def up(data_dir: Path) -> Iterator[Up]:
    run = Up(data_dir, free_port(), "up")
    yield run
    run.cleanup()


async def nothing_parked(data_dir: Path) -> list[str]:
    conn = await connect(endpoints.database_url(data_dir))
    try:
        return [f"{item.ref} {item.worker}: {item.reason}" for item in await list_parked(conn)]
    finally:
        await conn.close()


async def test_fault_campaign_under_load_loses_nothing_doubles_nothing_and_parks_nothing(
    up: Up, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = int(os.environ.get("SANJI_CAMPAIGN_SEED") or random.randrange(2**32))
    with capsys.disabled():
        print(f"\nfault campaign seed {seed} (SANJI_CAMPAIGN_SEED={seed} repeats it)")
    rng = random.Random(seed)
    services = list(registry.names())
    signals: list[tuple[str, str, signal.Signals]] = [
        (f"SIGKILL {name}", name, signal.SIGKILL) for name in services
    ]
    signals += [
        ("SIGKILL nats-server", "nats-server", signal.SIGKILL),
        ("SIGKILL PostgreSQL", "PostgreSQL", signal.SIGKILL),
        ("SIGSTOP outreach (hung)", "outreach", signal.SIGSTOP),
        ("projection stalled", "projection", signal.SIGSTOP),
    ]
    rng.shuffle(signals)
    faults = [fault for fault, _, _ in signals] + ["replay flood"]

    starting = time.monotonic()
    await up.wait_ready()
    start_seconds = time.monotonic() - starting
    ledger = Ledger()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=up.url, headers=headers, timeout=15) as http:
        client = CarefulClient(http, ledger)
        units = [(CITY, "bureau"), (COUNTY, "county_office")]
        units += [(township(phase), "township_office") for phase in range(len(faults) + 1)]
        for unit, kind in units:
            await client.send(
                "duty", "register_unit", {"path": unit, "name": f"单位{unit}", "kind": kind}, f"unit-{unit}"
            )
        system = await IngestingSystem.connect(up.data_dir / "nats", ledger)
        campaign = Campaign(up, client, system, rng)
        ledger.begin("none (warm-up)")
        load = [asyncio.create_task(client.log_activities()) for _ in range(CLIENTS)]
        load.append(asyncio.create_task(system.ingest()))
        try:
            await wait_until(
                campaign.progress(), timeout=RECOVERY, interval=0.5, message="no load acknowledged"
            )
            for fault, target, sig in signals:
                tally = ledger.begin(fault)
                if fault == "projection stalled":
                    await campaign.stall_projection(tally, http)
                else:
                    await campaign.comes_back(fault, target, sig)
            await campaign.replay_flood(ledger.begin("replay flood"))
            ledger.end()
        finally:
            client.stop.set()
            system.stop.set()
            await asyncio.gather(*load)
            await system.close()

        async def all_counted() -> bool:
            for phase in ledger.phases:
                phase.counted = await count_in_views(http, phase.unit)
            return all(phase.counted == len(phase.acknowledged) for phase in ledger.phases)

        settled = True
        try:
            await wait_until(all_counted, timeout=RECOVERY, interval=0.5)
        except AssertionError:
            settled = False
        with capsys.disabled():
            print(
                f"\nfault campaign (seed {seed}): sanji up ready in {start_seconds:.0f} s, "
                f"{client.retries} command retries\n{ledger.table()}"
            )
        assert settled, f"seed {seed}: the views never matched what was acknowledged\n{ledger.table()}"
        assert await all_counted(), f"seed {seed}: a late duplicate arrived\n{ledger.table()}"
        assert client.retries > 0  # the faults were felt by the clients, and retrying was harmless
        assert await nothing_parked(up.data_dir) == []  # no operator action needed

    output = up.output()
    for restarted in ("nats-server exited", "PostgreSQL exited", "outreach (pid", "has not answered"):
        assert restarted in output, output[-4000:]
    for name in services:
        assert f"{name} is running again" in output, f"{name} was not restarted\n{output[-4000:]}"
    assert up.interrupt() == 0, output[-4000:]
    assert_every_log_line_is_json(up.data_dir)  # outages, restarts and shutdown logged as JSON too

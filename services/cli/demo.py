"""`sanji demo`: seed a believable demo city into the running stack through the gateway's HTTP API.

Everything is deterministic (fixed seeds) and every command carries an Idempotency-Key derived from
what it creates, so running the demo again changes nothing.
"""

from __future__ import annotations

import asyncio
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import typer

from services.cli import endpoints
from services.eventkit.localtime import SHANGHAI
from services.gateway.tokens import DEV_SECRET

if TYPE_CHECKING:
    from services.cli.demo_cast import Cast

CITY = ("3205", "苏州市民政局")
COUNTIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "320505",
        "虎丘区",
        [("001", "横塘街道"), ("002", "狮山街道"), ("003", "枫桥街道"), ("100", "浒墅关镇")],
    ),
    (
        "320506",
        "吴中区",
        [("001", "长桥街道"), ("002", "郭巷街道"), ("003", "越溪街道"), ("100", "木渎镇"), ("101", "甪直镇")],
    ),
    ("320507", "相城区", [("001", "元和街道"), ("002", "太平街道"), ("100", "望亭镇")]),
    (
        "320508",
        "姑苏区",
        [("001", "平江街道"), ("002", "沧浪街道"), ("003", "金阊街道"), ("004", "双塔街道")],
    ),
    (
        "320509",
        "吴江区",
        [("001", "松陵街道"), ("002", "江陵街道"), ("100", "盛泽镇"), ("101", "同里镇"), ("102", "震泽镇")],
    ),
]
DEPARTMENTS = [("dept_office", "办公室"), ("dept_welfare", "社会福利处"), ("dept_aid", "社会救助处")]

FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2026, 10, 31)
SEED = 3205
DEFAULT_ACTIVITIES = 300
CONCURRENCY = 6
RETRY_FOR = 30.0  # seconds to keep retrying a command the stack is not ready for yet
CATCH_UP_FOR = 60.0  # seconds to wait for the projection to show every activity

# Which kinds each level holds (with weights), and a plausible audience range (人次) per kind.
KINDS_BY_LEVEL: dict[str, dict[str, int]] = {
    "bureau": {"central_group_study": 3, "lecture": 3, "seminar": 2, "training": 2, "drill": 1},
    "department": {"branch_study": 3, "seminar": 2, "training": 1},
    "county_office": {
        "central_group_study": 2,
        "seminar": 2,
        "lecture": 2,
        "training": 2,
        "outreach_talk": 2,
        "drill": 1,
    },
    "township_office": {
        "outreach_talk": 4,
        "community_event": 4,
        "branch_study": 2,
        "training": 1,
        "drill": 1,
    },
}
AUDIENCE = {
    "central_group_study": (8, 25),
    "seminar": (15, 60),
    "lecture": (50, 300),
    "outreach_talk": (30, 500),
    "branch_study": (10, 40),
    "community_event": (40, 800),
    "training": (20, 150),
    "drill": (30, 200),
}
TOPICS = {
    "central_group_study": [
        "学习贯彻党的二十届三中全会精神",
        "习近平总书记关于民政工作的重要论述",
        "意识形态工作责任制专题学习",
        "《中华人民共和国慈善法》修正解读",
        "民政领域安全生产专题学习",
    ],
    "seminar": [
        "养老服务体系建设专题研讨",
        "基层治理现代化专题研讨",
        "社会救助兜底保障专题研讨",
        "殡葬改革推进专题研讨",
        "儿童福利与未成年人保护专题研讨",
    ],
    "lecture": [
        "民政大讲堂：婚姻家庭辅导实务",
        "民政大讲堂：社会组织规范化管理",
        "民政大讲堂：数字民政建设",
        "民政大讲堂：老年人权益保障",
    ],
    "outreach_talk": [
        "最低生活保障政策宣讲",
        "养老服务补贴政策宣讲",
        "残疾人两项补贴政策宣讲",
        "移风易俗·文明祭扫宣讲",
        "防范养老诈骗宣讲",
    ],
    "branch_study": [
        "主题党日：重温入党誓词",
        "支部学习：党纪学习教育",
        "主题党日：走进红色教育基地",
        "支部学习：《中国共产党纪律处分条例》",
    ],
    "community_event": [
        "重阳节敬老志愿服务",
        "社区邻里节",
        "困境儿童关爱活动",
        "“中华慈善日”主题活动",
        "社区养老服务开放日",
    ],
    "training": [
        "社会救助经办人员业务培训",
        "养老机构消防安全培训",
        "社会工作者职业能力培训",
        "婚姻登记员业务培训",
        "信息宣传员写作培训",
    ],
    "drill": ["养老机构消防应急演练", "防汛防台应急演练", "救灾物资调运演练", "地震避险疏散演练"],
}
LEVEL_WEIGHTS = {"township_office": 60, "county_office": 25, "department": 8, "bureau": 7}
START_TIMES = [None, "09:00:00", "09:30:00", "10:00:00", "14:00:00", "14:30:00", "15:00:00"]


class DemoError(RuntimeError):
    """The demo could not be seeded or did not add up."""


@dataclass(frozen=True)
class Unit:
    path: str
    name: str
    kind: str


def demo_units() -> list[Unit]:
    """The city, its departments, counties and townships — every parent before its children."""
    city, city_name = CITY
    units = [Unit(city, city_name, "bureau")]
    units += [Unit(f"{city}.{code}", name, "department") for code, name in DEPARTMENTS]
    units += [Unit(f"{city}.{code}", f"{name}民政局", "county_office") for code, name, _ in COUNTIES]
    for county, _, townships in COUNTIES:
        units += [
            Unit(f"{city}.{county}.{county}{code}", name, "township_office") for code, name in townships
        ]
    return units


def demo_activities(units: list[Unit], count: int, today: date) -> list[dict[str, Any]]:
    """``count`` activities; the i-th is the same whatever the count, so runs of any size agree."""
    last = min(LAST_DAY, today)
    days = max((last - FIRST_DAY).days, 0)
    by_kind: dict[str, list[Unit]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit)
    levels = list(LEVEL_WEIGHTS)
    activities = []
    for index in range(1, count + 1):
        rng = random.Random(f"{SEED}:{index}")  # noqa: S311 - demo data, not secrets
        level = rng.choices(levels, weights=[LEVEL_WEIGHTS[k] for k in levels])[0]
        unit = rng.choice(by_kind[level])
        kinds = KINDS_BY_LEVEL[level]
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        low, high = AUDIENCE[kind]
        activity: dict[str, Any] = {
            "activity_id": f"demo-{index:05d}",
            "unit": unit.path,
            "kind": kind,
            "topic": rng.choice(TOPICS[kind]),
            "held_on": (FIRST_DAY + timedelta(days=rng.randint(0, days))).isoformat(),
            "audience": rng.randint(low, high),
        }
        if (starts_at := rng.choice(START_TIMES)) is not None:
            activity["starts_at"] = starts_at
        activities.append(activity)
    return activities


def gateway_url_for_port(port: int) -> str:
    return f"http://127.0.0.1:{port}"


class Seeder:
    """Sends commands through the gateway, a few at a time, retrying what the stack is not ready for."""

    def __init__(self, client: httpx.AsyncClient, concurrency: int = CONCURRENCY) -> None:
        self.client = client
        self.slots = asyncio.Semaphore(concurrency)
        self.outcomes: Counter[str] = Counter()

    async def send(self, command: str, body: dict[str, Any], key: str) -> str:
        """POST one command; 'applied' or 'existing' (already there from an earlier run)."""
        context, name = command.split(".", 1)
        deadline = time.monotonic() + RETRY_FOR
        pause = 0.1
        async with self.slots:
            while True:
                code, message = await self._post(f"/api/v1/commands/{context}/{name}", body, key)
                if code in ("applied", "existing"):
                    self.outcomes[f"{command}:{code}"] += 1
                    return code
                # not_found: outreach has not yet learned the unit from duty's events (it learns
                # asynchronously); unavailable/transport: the stack is busy or still starting.
                if code not in ("not_found", "unavailable", "transport") or time.monotonic() > deadline:
                    raise DemoError(f"{command} ({key}) was refused: {message or code}")
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)

    async def _post(self, path: str, body: dict[str, Any], key: str) -> tuple[str, str]:
        try:
            response = await self.client.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError as failure:
            return "transport", repr(failure)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        answer = answer if isinstance(answer, dict) else {}
        if response.is_success and answer.get("ok", True):
            return "applied", ""
        found = answer.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        code = str(error.get("code") or f"http_{response.status_code}")
        if code == "conflict":
            return "existing", ""
        if response.status_code == 503:
            code = "unavailable"
        return code, str(error.get("message") or response.text[:200])


async def fetch_unit(client: httpx.AsyncClient, path: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/units/{path}")
    response.raise_for_status()
    answer = response.json()
    if not isinstance(answer, dict):
        raise DemoError(f"unexpected answer for unit {path}: {answer}")
    return answer


async def await_projection(
    client: httpx.AsyncClient, at_least: int, settled: Callable[[], Awaitable[bool]] | None = None
) -> dict[str, Any]:
    """The city's summary once the projection shows at least ``at_least`` activities and, if given,
    ``settled()`` holds (a count can pass ``at_least`` before a later void has taken it back down)."""
    deadline = time.monotonic() + CATCH_UP_FOR
    while True:
        try:
            # settled() before the read: the city's answer must be at least as new as what it saw.
            done = settled is None or await settled()
            city = await fetch_unit(client, CITY[0])
            if done and city["subtree"]["activities"] >= at_least:
                return city
        except (httpx.HTTPError, KeyError, ValueError):
            city = {}
        if time.monotonic() > deadline:
            seen = city.get("subtree", {}).get("activities", "none")
            raise DemoError(
                f"the projection shows {seen} activities after {CATCH_UP_FOR:.0f}s, expected {at_least}"
            )
        await asyncio.sleep(0.5)


def check_rollup(city: dict[str, Any]) -> tuple[int, int, int]:
    """(subtree, own, sum of children) activity counts of a unit answer."""
    own = int(city["own"]["activities"])
    children = sum(int(child["subtree"]["activities"]) for child in city["children"])
    return int(city["subtree"]["activities"]), own, children


async def register_units(seeder: Seeder, units: list[Unit]) -> None:
    """Register the demo's units, parents first: duty refuses a unit whose parent is unknown."""
    for level in sorted({len(u.path.split(".")) for u in units}):
        batch = [u for u in units if len(u.path.split(".")) == level]
        await asyncio.gather(
            *(
                seeder.send(
                    "duty.register_unit",
                    {"path": u.path, "name": u.name, "kind": u.kind},
                    f"demo-unit-{u.path}",
                )
                for u in batch
            )
        )


async def seed_demo(
    url: str, token: str, activities: int, echo: Any = typer.echo, cast: Cast | None = None
) -> dict[str, Any]:
    """Register the units, log the activities, wait for the projection and return the city's answer.
    With a ``cast`` (demo_cast.py) the full demo also records what needs other people: publications
    through three reviews, rectifications signed off."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        try:
            await client.get("/readyz")
        except httpx.TransportError as error:
            raise DemoError(f"cannot reach the gateway at {url} ({error}); is `sanji up` running?") from None
        seeder = Seeder(client)
        units = demo_units()
        echo(f"registering {len(units)} units at {url} …")
        await register_units(seeder, units)
        plan = demo_activities(units, activities, local_today())
        echo(f"logging {len(plan)} activities …")
        done = 0

        async def log(activity: dict[str, Any]) -> None:
            nonlocal done
            await seeder.send("outreach.log_activity", activity, f"demo-act-{activity['activity_id']}")
            done += 1
            if done % 50 == 0 or done == len(plan):
                echo(f"  {done}/{len(plan)} activities")

        await asyncio.gather(*(log(a) for a in plan))
        from services.cli.demo_duty import seed_duty  # (it imports from this module)

        await seed_duty(seeder, units, echo)
        from services.cli.demo_duty_records import seed_duty_records  # (it imports from this module)

        await seed_duty_records(seeder, units, echo)
        from services.cli.demo_outreach import (  # (it imports from this module)
            demo_void_is_visible,
            seed_outreach,
        )

        # The full demo adds outreach's year (targets, an imported ledger); --activities N seeds exactly N.
        extra = (
            await seed_outreach(client, seeder, units, local_today(), echo)
            if activities >= DEFAULT_ACTIVITIES
            else 0
        )
        settled = partial(demo_void_is_visible, client) if activities >= DEFAULT_ACTIVITIES else None
        if activities >= DEFAULT_ACTIVITIES:  # the full demo also runs a year of public-opinion cases
            from services.cli.demo_opinion import seed_opinion

            await seed_opinion(client, seeder, units, local_today(), echo)
            from services.cli.demo_assessment import seed_assessment

            await seed_assessment(client, seeder, units, local_today(), echo)
            await _seed_with_cast(url, seeder, cast, echo)
            from services.cli.demo_submissions import seed_submissions  # (it imports from this module)

            await seed_submissions(seeder, units, local_today(), echo)
        _print_outcomes(seeder.outcomes, echo)
        return await await_projection(client, len(plan) + extra, settled)


async def _seed_with_cast(url: str, seeder: Seeder, cast: Cast | None, echo: Any) -> None:
    if cast is None:
        echo("no other people to act as: publications (三审) and rectification sign-offs left out")
        return
    from services.cli.demo_year import seed_year

    await seed_year(url, seeder, cast, local_today(), echo)


def local_today() -> date:
    """Today in Asia/Shanghai: activities cannot be logged before they are held."""
    return datetime.now(SHANGHAI).date()


def _print_outcomes(outcomes: Counter[str], echo: Any) -> None:
    for command in ("duty.register_unit", "outreach.log_activity"):
        applied, existing = outcomes[f"{command}:applied"], outcomes[f"{command}:existing"]
        echo(f"{command}: {applied} accepted, {existing} already there")


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal: CJK characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def print_city(city: dict[str, Any], echo: Any) -> None:
    """The city's own count, each child's subtree and the city's subtree, as a small table."""
    echo(f"\n{city['name']} ({city['path']}): own {city['own']['activities']} activities")
    rows = [(child["path"], child["name"], child["subtree"]) for child in city["children"]]
    rows.append(("subtree", "", city["subtree"]))
    for path, name, counts in rows:
        echo(
            f"  {_pad(path, 20)} {_pad(name, 14)} "
            f"{counts['activities']:>5} activities {counts['audience']:>8} 人次"
        )


async def _cast_and_seed(url: str, token: str, activities: int, data_dir: Path) -> dict[str, Any]:
    """The site's cast (its token store in ``data_dir`` or DATABASE_URL), then the demo."""
    from services.cli.demo_cast import site_cast

    cast, why_not = await site_cast(data_dir, CITY[0]) if activities >= DEFAULT_ACTIVITIES else (None, "")
    if why_not:
        typer.echo(f"no token store for the demo's people ({why_not})")
    return await seed_demo(url, token, activities, cast=cast)


def run_demo(url: str, token: str, activities: int, data_dir: Path = endpoints.DEFAULT_DATA_DIR) -> int:
    try:
        city = asyncio.run(_cast_and_seed(url.rstrip("/"), token, activities, data_dir))
    except DemoError as error:
        typer.echo(f"sanji demo: {error}", err=True)
        return 1
    print_city(city, typer.echo)
    subtree, own, children = check_rollup(city)
    if subtree != own + children:
        typer.echo(f"MISMATCH: subtree {subtree} != own {own} + children {children}", err=True)
        return 1
    typer.echo(f"OK: subtree {subtree} = own {own} + children {children}")
    return 0


def register(app: typer.Typer) -> None:
    """Add `sanji demo` to ``app``."""

    @app.command("demo")
    def demo(
        url: Annotated[
            str, typer.Option("--url", envvar="SANJI_URL", help="the gateway")
        ] = "http://127.0.0.1:8000",
        token: Annotated[
            str,
            typer.Option(
                "--token",
                envvar="SANJI_TOKEN",
                help="bearer token (default: the dev token `sanji up` creates)",
            ),
        ] = DEV_SECRET,
        activities: Annotated[int, typer.Option("--activities", hidden=True, min=0)] = DEFAULT_ACTIVITIES,
        data_dir: Annotated[
            Path,
            typer.Option(
                "--data-dir",
                help="where `sanji up` keeps its data: the demo adds its reviewers' and leader's tokens"
                " to that site's token store (or DATABASE_URL's)",
            ),
        ] = endpoints.DEFAULT_DATA_DIR,
    ) -> None:
        """Seed a demo city (苏州市民政局, 5 districts, their streets and towns, ~300 activities, a year's
        publications through three reviews and rectifications signed off)."""
        raise typer.Exit(run_demo(url, token, activities, data_dir))

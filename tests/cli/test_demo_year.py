"""The demo's year through real servers: publications pass three reviews by three different people and
rectifications are signed off by a leader, and the work summary shows exactly what the demo recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from services.cli.demo import Seeder, demo_units, local_today, register_units
from services.cli.demo_cast import cast_for, members
from services.cli.demo_duty import seed_duty
from services.cli.demo_year import COUNTY, FINDINGS, PIECES, YearRecord, seed_year
from services.gateway.tokens import TokenError, TokenStore, digest
from tests.gateway.support import DEMO_TOKEN, bearer, running_gateway
from tests.helpers import wait_until

YEAR = 2026
STORY_RECTIFICATIONS = 2  # demo_duty.py's story opens two when it runs, neither closed


def value(
    summary: dict[str, Any], section: str, name: str, by: str | None = None, key: str | None = None
) -> Any:
    (found,) = [
        f
        for f in summary["figures"]
        if (f["section"], f["name"], f["by"], f["key"]) == (section, name, by, key)
    ]
    return found["value"]


async def summary_of(http: httpx.AsyncClient, path: str) -> dict[str, Any]:
    response = await http.get(f"/api/v1/summaries/{path}?period={YEAR}", headers=bearer(DEMO_TOKEN))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def expected_opened(record: YearRecord) -> int:
    """The year's rectifications opened: the demo's March ones, and the story's if it ran in the year."""
    return record.opened + (STORY_RECTIFICATIONS if local_today().year == YEAR else 0)


@pytest.mark.slow
async def test_the_demo_year_fills_the_summarys_publication_and_rectification_figures(
    nats_url: str, database_url: str, tmp_path: Path
) -> None:
    async with running_gateway(nats_url, database_url, tmp_path) as gateway:
        url = f"http://127.0.0.1:{gateway.http_port}"
        async with httpx.AsyncClient(base_url=url, headers=bearer(DEMO_TOKEN), timeout=30) as client:
            seeder = Seeder(client)
            units = demo_units()
            await register_units(seeder, units)
            await seed_duty(seeder, units, echo=lambda _line: None)
            cast = await cast_for(database_url, "3205")
            lines: list[str] = []
            record = await seed_year(url, seeder, cast, local_today(), lines.append)
        assert record.total_published == len(PIECES)  # every piece of the year reached publishing
        assert (record.opened, record.closed_on_time, record.closed_late) == (len(FINDINGS), 2, 1)
        assert any("published after three reviews" in line for line in lines), lines

        async with httpx.AsyncClient(base_url=url, timeout=30) as http:

            async def caught_up() -> bool:
                city = await summary_of(http, "3205")
                return bool(
                    value(city, "publications", "published") == record.total_published
                    and value(city, "rectifications", "closed_late") == record.closed_late
                )

            await wait_until(caught_up, timeout=30, message="the summary never showed the demo's year")
            city = await summary_of(http, "3205")
            assert value(city, "publications", "published") == record.total_published
            assert value(city, "publications", "reviews") == 3 * record.total_published
            assert value(city, "publications", "views") == sum(record.views.values()) > 0
            for kind in ("article", "image_post", "video", "notice", "commentary"):
                assert value(city, "publications", "published", "kind", kind) > 0, kind
            assert value(city, "rectifications", "opened") == expected_opened(record)
            assert value(city, "rectifications", "closed_on_time") == record.closed_on_time == 2
            assert value(city, "rectifications", "closed_late") == record.closed_late == 1
            # 三校: every piece but the video proofread three times before publishing.
            assert record.total_proofread == len([piece for piece in PIECES if piece.proofread])
            assert 0 < record.total_proofread < record.total_published
            assert value(city, "publications", "proofread") == record.total_proofread
            assert "publications" not in {n["section"] for n in city["not_recorded"]}

            county = await summary_of(http, COUNTY)
            in_county = sum(n for unit, n in record.published.items() if unit.startswith(COUNTY))
            county_views = sum(n for unit, n in record.views.items() if unit.startswith(COUNTY))
            assert value(county, "publications", "published") == in_county > 0
            assert value(county, "publications", "reviews") == 3 * in_county
            assert value(county, "publications", "views") == county_views
            in_county_proofread = sum(n for unit, n in record.proofread.items() if unit.startswith(COUNTY))
            assert value(county, "publications", "proofread") == in_county_proofread > 0
            assert value(county, "rectifications", "opened") == expected_opened(record)
            assert value(county, "rectifications", "closed_on_time") == 2

            # Again (fresh secrets for the same people): every command is answered from its stored
            # reply, and nothing changes.
            async with httpx.AsyncClient(base_url=url, headers=bearer(DEMO_TOKEN), timeout=30) as client:
                cast = await cast_for(database_url, "3205")
                again = await seed_year(url, Seeder(client), cast, local_today(), lines.append)
            assert again == record
            city = await summary_of(http, "3205")
            assert value(city, "publications", "published") == record.total_published
            assert value(city, "publications", "reviews") == 3 * record.total_published
            assert value(city, "publications", "proofread") == record.total_proofread


async def test_the_cast_are_three_people_with_fresh_secrets_that_expire(database_url: str) -> None:
    first = await cast_for(database_url, "3205")
    second = await cast_for(database_url, "3205")
    assert set(first.tokens) == {"first_review", "second_review", "leader"}
    assert not set(first.tokens.values()) & set(second.tokens.values())  # renewed, not reused
    store = await TokenStore.open(database_url, max_size=1)
    try:
        stored = {record.name: record for record in await store.all()}
        for member in members("3205"):
            record = stored[member.name]
            assert record.roles == (member.role.value,)
            assert record.expires_at is not None
            assert (
                await store.by_digest(digest(first.token(member.part))) is None
            )  # the first run's secret no longer opens anything
        await store.revoke(members("3205")[0].name)
    finally:
        await store.close()
    with pytest.raises(TokenError, match="revoked"):
        await cast_for(database_url, "3205")

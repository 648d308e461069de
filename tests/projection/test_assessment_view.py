"""The assessment view through a real relay, JetStream and PostgreSQL: the latest computed score wins, a
bulletin freezes the scores it ranks, a re-issued version becomes the default while the first stays
readable, and the scheme, appeals and error answers."""

from __future__ import annotations

from typing import Any

from contracts.assessment import AppealDecided, AppealFiled, BulletinPublished, Manual, Scheme, SchemeAdopted
from services.eventkit.client import SanjiClient
from tests.duty.support import CHANGQIAO, CITY_PATH, GUOXIANG, WUZHONG, XIANGCHENG, answer, register_units
from tests.projection.assessment_support import assessment_events, bulletin, row, score
from tests.stack import client, running

Q = "projection.assessment."


async def refused(sanji: SanjiClient, name: str, **params: Any) -> tuple[str, str]:
    found = await sanji.query(Q + name, params)
    assert not found["ok"], found
    return found["error"]["code"], found["error"]["message"]


async def test_latest_score_wins_with_provisional_ranks_and_a_trend(nats_url: str, database_url: str) -> None:
    async with (
        running(nats_url, database_url, "duty", "projection"),
        client(nats_url) as sanji,
        assessment_events(nats_url, database_url) as events,
    ):
        await register_units(sanji)
        await events.emit(
            score(CHANGQIAO, "2026-03", 80),
            score(CHANGQIAO, "2026-03", 85),
            score(GUOXIANG, "2026-03", 95, vetoed=True),
            score(WUZHONG, "2026-01", 70),
            score(XIANGCHENG, "2026-03", 91),
            score(WUZHONG, "2026-03", 88.5, own=90),
        )
        await events.settled(sanji)

        township = await answer(sanji, Q + "unit", path=CHANGQIAO, period="2026-03")
        assert township["name"] == "长桥街道"
        assert (township["score"]["total"], township["score"]["frozen"], township["score"]["bulletin"]) == (
            85,
            False,
            None,
        )
        assert township["score"]["rank"] == 1  # 郭巷 scored more but was vetoed: it ranks last
        assert [line["name"] for line in township["score"]["explanation"]["indicators"]] == [
            "宣讲活动",
            "舆情办结率",
        ]

        county = await answer(sanji, Q + "unit", path=WUZHONG, period="2026-03")
        assert (county["score"]["own"], county["score"]["total"], county["score"]["rank"]) == (90, 88.5, 2)
        assert county["children_ranked_by"] == "provisional"
        assert [(c["unit"], c["name"], c["rank"], c["vetoed"]) for c in county["children"]] == [
            (CHANGQIAO, "长桥街道", 1, False),
            (GUOXIANG, "郭巷街道", 2, True),
        ]
        assert len(county["trend"]) == 12
        assert [point["total"] for point in county["trend"][:4]] == [70, None, 88.5, None]
        assert county["freshness"]["checkpoint"] > 0

        latest = await answer(sanji, Q + "unit", path=WUZHONG)  # no period: the last one scored
        assert latest["period"] == {"label": "2026-03", "cadence": "month"}
        city = await answer(sanji, Q + "unit", path=CITY_PATH, period="2026-03")
        assert city["score"] is None
        assert [c["unit"] for c in city["children"]] == [XIANGCHENG, WUZHONG]

        assert await refused(sanji, "unit", path="3205.320599") == (
            "not_found",
            "unit 3205.320599 is not known",  # as the gateway says of a unit outside the scope
        )
        code, message = await refused(sanji, "unit", path=WUZHONG, period="2026-13")
        assert code == "invalid"
        assert message.startswith("period:")
        assert await refused(sanji, "unit", path=WUZHONG, period="2025-Q4") == (
            "not_found",
            f"period: no score for {WUZHONG} in 2025-Q4",
        )


def county_bulletin(version: int, changqiao: float, reissued_for: str | None = None) -> BulletinPublished:
    return bulletin(
        WUZHONG,
        "2026-Q1",
        version,
        [
            row(WUZHONG, "吴中区民政局", None, 88, None),
            row(GUOXIANG, "郭巷街道", WUZHONG, 86, 1),
            row(CHANGQIAO, "长桥街道", WUZHONG, changqiao, 2, adjustment=changqiao - 84),
        ],
        reissued_for,
    )


async def test_a_bulletin_freezes_scores_and_a_reissue_becomes_the_default(
    nats_url: str, database_url: str
) -> None:
    async with (
        running(nats_url, database_url, "duty", "projection"),
        client(nats_url) as sanji,
        assessment_events(nats_url, database_url) as events,
    ):
        await register_units(sanji)
        scheme = Scheme(
            title="2026年度考核", indicators=[Manual(kind="manual", id="work", name="日常工作", points=100)]
        )
        await events.emit(
            SchemeAdopted(unit=CITY_PATH, year=2026, scheme_version=1, scheme=scheme),
            SchemeAdopted(unit=CITY_PATH, year=2026, scheme_version=2, scheme=scheme, reason="调整分值"),
            score(CHANGQIAO, "2026-Q1", 84),
            score(GUOXIANG, "2026-Q1", 86),
            county_bulletin(1, 84),
            score(CHANGQIAO, "2026-Q1", 99),  # after the bulletin: must not show
            AppealFiled(
                appeal_id="ap-1",
                unit=CHANGQIAO,
                period="2026-Q1",
                bulletin_unit=WUZHONG,
                bulletin_version=1,
                reason="漏计一次宣讲",
            ),
        )
        await events.settled(sanji)
        frozen = await answer(sanji, Q + "unit", path=CHANGQIAO, period="2026-Q1")
        assert frozen["score"]["total"] == 84
        assert frozen["score"]["frozen"] is True
        assert frozen["score"]["bulletin"] == {"unit": WUZHONG, "version": 1}
        assert frozen["score"]["rank"] == 2
        appeals = await answer(sanji, Q + "appeals", path=WUZHONG)
        assert [(a["appeal_id"], a["state"], a["name"]) for a in appeals["appeals"]] == [
            ("ap-1", "filed", "长桥街道")
        ]

        decided = AppealDecided(
            appeal_id="ap-1",
            unit=CHANGQIAO,
            period="2026-Q1",
            bulletin_unit=WUZHONG,
            upheld=True,
            points=3,
            reason="核实属实",
        )
        await events.emit(
            decided, county_bulletin(2, 87, reissued_for="ap-1"), score(CHANGQIAO, "2026-Q1", 50)
        )
        await events.settled(sanji)

        reissued = await answer(sanji, Q + "unit", path=CHANGQIAO, period="2026-Q1")
        assert (reissued["score"]["total"], reissued["score"]["bulletin"]["version"]) == (87, 2)
        assert reissued["score"]["rank"] == 2
        county = await answer(sanji, Q + "unit", path=WUZHONG, period="2026-Q1")
        assert county["children_ranked_by"] == "bulletin"
        assert [(c["unit"], c["total"], c["rank"]) for c in county["children"]] == [
            (GUOXIANG, 86, 1),
            (CHANGQIAO, 87, 2),
        ]

        newest = await answer(sanji, Q + "bulletin", path=WUZHONG, period="2026-Q1")
        assert (newest["version"], newest["reissued_for"]) == (2, "ap-1")
        assert [(v["version"], v["reissued_for"]) for v in newest["versions"]] == [(1, None), (2, "ap-1")]
        assert [(r["unit"], r["total"], r["level"]) for r in newest["rows"]] == [
            (WUZHONG, 88, "county"),
            (GUOXIANG, 86, "township"),
            (CHANGQIAO, 87, "township"),
        ]
        first = await answer(sanji, Q + "bulletin", path=WUZHONG, period="2026-Q1", version="1")
        assert (first["version"], first["rows"][2]["total"]) == (1, 84)
        code, message = await refused(sanji, "bulletin", path=WUZHONG, period="2026-Q1", version=9)
        assert code == "not_found"
        assert message.startswith("version:")

        listed = await answer(sanji, Q + "bulletins", path=CHANGQIAO)
        assert [(b["unit"], b["period"], b["version"]) for b in listed["bulletins"]] == [
            (WUZHONG, "2026-Q1", 2),
            (WUZHONG, "2026-Q1", 1),
        ]
        assert (await answer(sanji, Q + "bulletins", path=XIANGCHENG))["bulletins"] == []

        appeals = await answer(sanji, Q + "appeals", path=CHANGQIAO)
        (appeal,) = appeals["appeals"]
        assert (appeal["state"], appeal["points"], appeal["reason"], appeal["decision"]) == (
            "upheld",
            3,
            "漏计一次宣讲",
            "核实属实",
        )
        adopted = await answer(sanji, Q + "scheme", year=2026)
        assert adopted["version"] == 2
        assert adopted["scheme"]["title"] == "2026年度考核"
        assert [v["version"] for v in adopted["versions"]] == [2, 1]
        assert (await refused(sanji, "scheme", year=2027))[0] == "not_found"

"""Assessment over HTTP against a real stack: reads cut to the actor's subtree, a bulletin published above
the actor readable when it ranks the actor's units, the bulletin as an Excel workbook, and the pages."""

from __future__ import annotations

import io
from urllib.parse import quote

import httpx
from openpyxl import load_workbook

from contracts.assessment import BulletinPublished, Manual, Scheme, SchemeAdopted
from services.gateway.assessment_xlsx import HEADERS
from tests.gateway.support import CITY_TOKEN, COUNTY_TOKEN, bearer, register_units
from tests.projection.assessment_support import assessment_events, bulletin, row, score
from tests.stack import client

CITY, WUZHONG, CHANGQIAO, XIANGCHENG = "3205", "3205.320506", "3205.320506.320506001", "3205.320507"
API = "/api/v1/assessment"


def city_bulletin(version: int, xiangcheng: float, reissued_for: str | None = None) -> BulletinPublished:
    wuzhong_rank, xiangcheng_rank = (1, 2) if xiangcheng < 88 else (2, 1)
    return bulletin(
        CITY,
        "2026-Q1",
        version,
        [
            row(CITY, "苏州市民政局", None, 85, None),
            row(WUZHONG, "吴中区民政局", CITY, 88.5, wuzhong_rank),
            row(XIANGCHENG, "相城区民政局", CITY, xiangcheng, xiangcheng_rank),
            row(CHANGQIAO, "长桥街道", WUZHONG, 84, 1),
        ],
        reissued_for,
    )


async def published(http: httpx.AsyncClient, nats_url: str, database_url: str) -> None:
    """Units, a scheme, scores and the city's 2026-Q1 bulletin (re-issued once) and a 2026-Q2 one."""
    await register_units(http)
    scheme = Scheme(
        title="2026年度考核", indicators=[Manual(kind="manual", id="work", name="日常工作", points=100)]
    )
    q2 = bulletin(
        CITY,
        "2026-Q2",
        1,
        [row(CITY, "苏州市民政局", None, 80, None), row(XIANGCHENG, "相城区民政局", CITY, 80, 1)],
    )
    async with assessment_events(nats_url, database_url) as events, client(nats_url) as sanji:
        await events.emit(
            SchemeAdopted(unit=CITY, year=2026, scheme_version=1, scheme=scheme),
            score(CHANGQIAO, "2026-Q1", 84),
            score(WUZHONG, "2026-Q1", 88.5),
            city_bulletin(1, 80),
            city_bulletin(2, 89, reissued_for="ap-9"),
            q2,
        )
        await events.settled(sanji)


async def test_reads_are_cut_to_the_subtree_and_bulletins_above_are_shown_when_they_rank_you(
    http: httpx.AsyncClient, nats_url: str, database_url: str
) -> None:
    await published(http, nats_url, database_url)
    county = bearer(COUNTY_TOKEN)

    unit = await http.get(f"{API}/units/{WUZHONG}", params={"period": "2026-Q1"}, headers=county)
    assert unit.status_code == 200, unit.text
    found = unit.json()
    assert (found["name"], found["score"]["total"], found["score"]["frozen"]) == ("吴中区民政局", 88.5, True)
    assert (found["score"]["bulletin"], found["score"]["rank"]) == ({"unit": CITY, "version": 2}, 2)
    assert found["freshness"]["checkpoint"] > 0

    listed = (await http.get(f"{API}/bulletins/{CHANGQIAO}", headers=county)).json()
    assert [(b["unit"], b["period"], b["version"]) for b in listed["bulletins"]] == [
        (CITY, "2026-Q1", 2),
        (CITY, "2026-Q1", 1),
    ]
    above = await http.get(f"{API}/bulletins/{CITY}/2026-Q1", headers=county)
    assert above.status_code == 200
    assert (above.json()["version"], len(above.json()["rows"])) == (2, 4)
    assert (await http.get(f"{API}/bulletins/{CITY}/2026-Q2", headers=county)).status_code == 404
    assert (await http.get(f"{API}/bulletins/{XIANGCHENG}/2026-Q1", headers=county)).status_code == 404
    assert (await http.get(f"{API}/units/{XIANGCHENG}", headers=county)).status_code == 404
    assert (await http.get(f"{API}/appeals/{XIANGCHENG}", headers=county)).status_code == 404
    assert (await http.get(f"{API}/appeals/{WUZHONG}", headers=county)).json()["appeals"] == []
    missing = await http.get(f"{API}/units/{WUZHONG}", params={"period": "2026-Q3"}, headers=county)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == f"period: no score for {WUZHONG} in 2026-Q3"
    assert (await http.get(f"{API}/schemes/2026", headers=county)).json()["version"] == 1
    assert (await http.get(f"{API}/units/{WUZHONG}")).status_code == 401


async def test_a_bulletin_downloads_as_a_workbook_with_a_sheet_per_level(
    http: httpx.AsyncClient, nats_url: str, database_url: str
) -> None:
    await published(http, nats_url, database_url)
    response = await http.get(
        f"{API}/bulletins/{CITY}/2026-Q1",
        params={"format": "xlsx", "version": "1"},
        headers=bearer(CITY_TOKEN),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = response.headers["content-disposition"]
    assert 'filename="bulletin-3205-2026-Q1-v1.xlsx"' in disposition
    assert f"filename*=UTF-8''{quote('苏州市民政局-2026-Q1-考核通报-第1版.xlsx')}" in disposition

    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["市级", "县(区)级", "乡镇(街道)级", "通报信息"]
    counties = book["县(区)级"]
    assert counties.freeze_panes == "A2"
    lines = list(counties.iter_rows(values_only=True))
    assert lines[0] == HEADERS
    assert lines[1:] == [
        (1, "吴中区民政局", WUZHONG, 88.5, 88.5, None, "苏州市民政局"),
        (2, "相城区民政局", XIANGCHENG, 80, 80, None, "苏州市民政局"),
    ]
    assert counties.column_dimensions["B"].width >= 20
    about = dict(book["通报信息"].iter_rows(min_row=2, values_only=True))
    assert (about["版本"], about["考核期间"]) == (1, "2026-Q1")

    wrong = await http.get(
        f"{API}/bulletins/{CITY}/2026-Q1", params={"format": "pdf"}, headers=bearer(CITY_TOKEN)
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"][0]["field"] == "format"


async def test_assessment_pages_render_in_chinese_and_english(
    http: httpx.AsyncClient, nats_url: str, database_url: str
) -> None:
    await published(http, nats_url, database_url)
    assert (await http.post("/login", data={"token": CITY_TOKEN, "next": "/"})).status_code == 303

    unit = await http.get(f"/units/{WUZHONG}")
    assert f'href="/assessment/units/{WUZHONG}"' in unit.text
    page = await http.get(f"/assessment/units/{WUZHONG}", params={"period": "2026-Q1"})
    assert page.status_code == 200
    for text in (
        "吴中区民政局",
        "88.5",
        "评分明细",
        "宣讲活动",
        "舆情逾期",
        "长桥街道",
        "年内走势",
        "2026年第一季度",  # the period as people say it, in the picker and the trend
    ):
        assert text in page.text, text
    for raw in ("required 3", "done 2", "{'"):  # the scorer's inputs are said in sentences, not shown raw
        assert raw not in page.text, raw
    assert f'href="/assessment/bulletins/{CITY}/2026-Q1?version=2"' in page.text
    english = await http.get(f"/assessment/units/{WUZHONG}", params={"period": "2026-Q1", "lang": "en"})
    assert "How the score was made" in english.text

    sheet = await http.get(f"/assessment/bulletins/{CITY}/2026-Q1")
    assert sheet.status_code == 200
    for text in ("2026-Q1民政工作责任制考核通报", "相城区民政局", "89", "ap-9", "县(区)级"):
        assert text in sheet.text, text
    assert f'href="/assessment/bulletins/{CITY}/2026-Q1?version=1"' in sheet.text
    assert f"/assessment/bulletins/{CITY}/2026-Q1/download?version=2&amp;format=xlsx" in sheet.text
    download = await http.get(f"/assessment/bulletins/{CITY}/2026-Q1/download", params={"format": "xlsx"})
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.content)).sheetnames[0] == "市级"

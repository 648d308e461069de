"""Outreach through the gateway: spreadsheet imports (CSV from Excel in GB18030, XLSX) with progress and
a per-row report Excel can open, evidence files by hash, reads cut to the actor's scope, the pages."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

import httpx
from openpyxl import Workbook

from tests.gateway.support import CITY_TOKEN, COUNTY_TOKEN, activity, bearer, first_activity, register_units
from tests.helpers import wait_until

TOWNSHIP = "3205.320506.320506001"


async def finished(http: httpx.AsyncClient, job: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def done() -> bool:
        nonlocal found
        found = (
            await http.get(f"/api/v1/outreach/imports/{job['job_id']}", headers=bearer(CITY_TOKEN))
        ).json()
        return bool(found["state"] != "running")

    await wait_until(done, timeout=60, message="the import never finished")
    return found


async def ready(http: httpx.AsyncClient) -> None:
    await register_units(http)
    await first_activity(http, activity("act-first-0001", TOWNSHIP, 10))


async def test_a_csv_saved_by_chinese_excel_with_duplicates_and_bad_rows(http: httpx.AsyncClient) -> None:
    await ready(http)
    lines = [
        "外部编号,单位代码,活动类型,主题,日期,开始时间,人次,参加人员,备注",
        f"R-1,{TOWNSHIP},宣讲,低保政策宣讲,2025/3/5,09:30,120,张三、李四,",
        f"R-2,{TOWNSHIP},社区活动,重阳节敬老活动,2025年10月11日,,300,,",
        f"R-3,{TOWNSHIP},野餐,不存在的类型,2025-03-05,,10,,",
        f"R-1,{TOWNSHIP},宣讲,低保政策宣讲,2025/3/5,09:30,120,张三、李四,",
        f"R-4,{TOWNSHIP},培训,业务培训,2025-02-30,,40,,",
    ]
    data = "\n".join(lines).encode("gb18030")
    response = await http.post(
        "/api/v1/outreach/imports",
        params={"filename": "活动.csv", "source": "county-sheet", "unit": "3205.320506"},
        content=data,
        headers=bearer(CITY_TOKEN),
    )
    assert response.status_code == 202, response.text
    assert response.json()["ignored_columns"] == ["备注"]
    job = await finished(http, response.json())
    assert (job["state"], job["total"], job["done"]) == ("done", 5, 5)
    assert (job["imported"], job["duplicate"], job["failed"]) == (2, 1, 2)

    report = await http.get(job["report_url"], headers=bearer(CITY_TOKEN))
    assert report.content.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0][0] == "行号 row"
    assert [(r[0], r[3]) for r in rows[1:]] == [("4", "kind"), ("5", "external_id"), ("6", "held_on")]
    assert rows[2][2] == "重复 duplicate"

    other = await http.get(f"/api/v1/outreach/imports/{job['job_id']}", headers=bearer(COUNTY_TOKEN))
    assert other.status_code == 404  # only whoever started an import sees it


async def test_a_large_workbook_is_imported_in_batches_with_progress(http: httpx.AsyncClient) -> None:
    await ready(http)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "unit", "kind", "topic", "held_on", "audience", "duration_minutes"])
    for n in range(1, 1201):
        sheet.append(
            [
                f"X{n}",
                TOWNSHIP,
                "training",
                "社会工作者职业能力培训",
                f"2025-{n % 12 + 1:02d}-10",
                float(n % 50),
                90,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = await http.post(
        "/api/v1/outreach/imports",
        params={"filename": "培训.xlsx", "source": "elearning"},  # unit: the actor's scope
        content=buffer.getvalue(),
        headers=bearer(CITY_TOKEN),
    )
    assert response.status_code == 202, response.text
    job = await finished(http, response.json())
    assert (job["state"], job["done"], job["imported"], job["failed"]) == ("done", 1200, 1200, 0)

    async def counted() -> bool:
        answer = await http.get(
            f"/api/v1/outreach/units/{TOWNSHIP}/summary?period=2025", headers=bearer(CITY_TOKEN)
        )
        return (
            answer.status_code == 200
            and answer.json()["own"]["by_kind"].get("training", {}).get("activities") == 1200
        )

    await wait_until(counted, timeout=60, message="the imported rows never showed in the summary")


async def test_an_unreadable_file_is_refused_at_once(http: httpx.AsyncClient) -> None:
    refused = await http.post(
        "/api/v1/outreach/imports",
        params={"filename": "x.csv"},
        content=b"a,b\n1,2\n",
        headers=bearer(CITY_TOKEN),
    )
    assert refused.status_code == 422
    assert "missing" in refused.json()["error"]["message"]


async def test_evidence_is_stored_by_hash_and_referenced_from_an_activity(http: httpx.AsyncClient) -> None:
    await ready(http)
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    response = await http.post(
        "/api/v1/outreach/evidence",
        params={"filename": "签到表.png"},
        content=photo,
        headers={**bearer(COUNTY_TOKEN), "Content-Type": "image/png"},
    )
    assert response.status_code == 200, response.text
    stored = response.json()
    assert stored["sha256"] == hashlib.sha256(photo).hexdigest()
    again = await http.post("/api/v1/outreach/evidence", content=photo, headers=bearer(CITY_TOKEN))
    assert again.json()["sha256"] == stored["sha256"]

    body = activity("act-evid-0001", TOWNSHIP, 30) | {"held_on": "2025-03-02", "evidence": [stored["sha256"]]}
    logged = await http.post(
        "/api/v1/commands/outreach/log_activity", json=body, headers=bearer(COUNTY_TOKEN)
    )
    assert logged.status_code == 200, logged.text

    async def shown() -> bool:
        answer = await http.get("/api/v1/outreach/activities/act-evid-0001", headers=bearer(COUNTY_TOKEN))
        return answer.status_code == 200 and answer.json()["activity"]["evidence"] == [stored["sha256"]]

    await wait_until(shown, message="the activity never showed its evidence")
    download = await http.get(stored["url"], headers=bearer(COUNTY_TOKEN))
    assert download.content == photo
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert (
        await http.get("/api/v1/outreach/evidence/" + "0" * 64, headers=bearer(CITY_TOKEN))
    ).status_code == 404


async def test_reads_are_cut_to_the_actors_scope_and_the_pages_render(http: httpx.AsyncClient) -> None:
    await ready(http)
    city = await http.get("/api/v1/outreach/units/3205/summary", headers=bearer(COUNTY_TOKEN))
    assert city.status_code == 404
    bad = await http.get("/api/v1/outreach/units/3205/summary?period=2025-13", headers=bearer(CITY_TOKEN))
    assert bad.status_code == 422

    async def logged() -> bool:  # outreach may not have learned the other county yet
        response = await http.post(
            "/api/v1/commands/outreach/log_activity",
            json=activity("act-xc-00001", "3205.320507", 5) | {"held_on": "2025-05-01"},
            headers={**bearer(CITY_TOKEN), "Idempotency-Key": "cmd-act-xc-00001"},
        )
        return response.status_code == 200

    await wait_until(logged, message="outreach never learned the county")

    async def known() -> bool:
        return (
            await http.get("/api/v1/outreach/activities/act-xc-00001", headers=bearer(CITY_TOKEN))
        ).status_code == 200

    await wait_until(known, message="the activity never reached the projection")
    hidden = await http.get("/api/v1/outreach/activities/act-xc-00001", headers=bearer(COUNTY_TOKEN))
    assert hidden.status_code == 404

    await http.post("/login", data={"token": CITY_TOKEN, "next": "/"})
    page = await http.get("/outreach/units/3205", params={"period": "2025"})
    assert page.status_code == 200, page.text
    assert "计划完成情况" in page.text
    assert "信息发布（三审三校）" in page.text
    english = await http.get("/outreach/units/3205", params={"period": "2025", "lang": "en"})
    assert "Plan versus actual" in english.text
    detail = await http.get("/outreach/activities/act-xc-00001")
    assert detail.status_code == 200
    assert "登记" in detail.text  # the history in words, not the event's type string
    assert "outreach.activity_logged" not in detail.text
    form = await http.get("/outreach/import")
    assert "X-Sanji-Upload" in form.text
    forged = await http.post("/outreach/import", content=b"x")
    assert forged.status_code == 403  # without the page's header: a form on another site

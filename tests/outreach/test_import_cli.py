"""`sanji import FILE`: history through the same rules as the forms, with a per-row report; an import
stopped part way and started again imports every row once; a file that cannot be read changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.cli import import_cmd
from services.cli.import_cmd import ImportFailed, ImportState, run_import
from services.gateway.app import GatewayRuntime
from tests.gateway.support import CITY_TOKEN, COUNTY_TOKEN, bearer, register_units
from tests.helpers import wait_until

TOWNSHIP = "3205.320506.320506001"


def activity_row(number: int, **changes: Any) -> dict[str, Any]:
    row = {
        "external_id": f"archive-{number:05d}",
        "unit": TOWNSHIP,
        "kind": "outreach_talk",
        "topic": f"民法典宣讲 第{number}场",
        "held_on": "2025-05-06",
        "audience": 10,
    }
    return {**row, **changes}


def write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


async def activities_of(http: httpx.AsyncClient, unit: str) -> int:
    answer = await http.get(f"/api/v1/units/{unit}", headers=bearer(CITY_TOKEN))
    return int(answer.json()["own"]["activities"])


async def test_an_interrupted_import_resumes_and_imports_every_row_once(
    http: httpx.AsyncClient, gateway: GatewayRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await register_units(http)
    rows = [activity_row(n) for n in range(1, 1201)]
    rows[10] = activity_row(11, audience=-3)  # refused by the contract: reported, not imported
    rows[20] = activity_row(21, unit="3205.320507")  # outside the token's subtree
    rows[30] = activity_row(30)  # the same external id as row 30 before it: a duplicate
    path = write_lines(tmp_path / "archive.jsonl", rows)

    # The gateway goes away after the first batch: the import stops, its state says how far it got.
    sent = 0
    original = import_cmd.send_batch

    async def flaky(*args: Any) -> dict[str, Any]:
        nonlocal sent
        sent += 1
        if sent > 1:
            raise ImportFailed("the gateway did not answer")
        return await original(*args)

    monkeypatch.setattr(import_cmd, "send_batch", flaky)
    async with httpx.AsyncClient(base_url=http.base_url, headers=bearer(COUNTY_TOKEN), timeout=60) as client:
        with pytest.raises(ImportFailed):
            await run_import(path, "activities", "archive-2025", "3205.320506", client, show_progress=False)
    halfway = ImportState.load(tmp_path / "archive.jsonl.sanji-import.json", "")
    stored = json.loads((tmp_path / "archive.jsonl.sanji-import.json").read_text())
    assert stored["batches_done"] == 1
    assert halfway.batches_done == 0  # a state kept for another file's content is not taken for this one

    monkeypatch.setattr(import_cmd, "send_batch", original)
    async with httpx.AsyncClient(base_url=http.base_url, headers=bearer(COUNTY_TOKEN), timeout=60) as client:
        state = await run_import(
            path, "activities", "archive-2025", "3205.320506", client, show_progress=False
        )
        assert (state.done, state.imported, state.duplicate, state.failed) == (1200, 1197, 1, 2)
        # Run again: every batch was acknowledged, nothing is sent, nothing changes.
        again = await run_import(
            path, "activities", "archive-2025", "3205.320506", client, show_progress=False
        )
        assert again.imported == 1197
        # The state lost: every batch is sent again with its key and gets its stored reply.
        (tmp_path / "archive.jsonl.sanji-import.json").unlink()
        resent = await run_import(
            path, "activities", "archive-2025", "3205.320506", client, show_progress=False
        )
        assert (resent.imported, resent.failed) == (1197, 2)

    await wait_until(
        lambda: _equals(activities_of(http, TOWNSHIP), 1197), timeout=60, message="not counted once"
    )
    report = (tmp_path / "archive.jsonl.report.csv").read_text(encoding="utf-8-sig")
    assert "audience" in report
    assert "archive-00011" in report
    assert "archive-00021" in report
    assert "archive-00030" in report


async def test_a_file_that_cannot_be_read_changes_nothing(http: httpx.AsyncClient, tmp_path: Path) -> None:
    await register_units(http)
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(activity_row(1)) + "\n{not json\n", encoding="utf-8")
    async with httpx.AsyncClient(base_url=http.base_url, headers=bearer(CITY_TOKEN), timeout=30) as client:
        with pytest.raises(ImportFailed, match="line 2: not JSON"):
            await run_import(path, "activities", "archive-2025", "3205", client, show_progress=False)
    assert await activities_of(http, TOWNSHIP) == 0
    assert not (tmp_path / "broken.jsonl.sanji-import.json").exists()


async def _equals(pending: Any, expected: int) -> bool:
    return bool(await pending == expected)


async def test_meetings_import_from_json_lines_with_a_per_row_report(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    await register_units(http)
    facts = {"kind": "situation_analysis", "held_on": "2025-06-20", "attendance": 8, "topics": ["形势研判"]}
    rows = [
        {"external_id": "MT-1", "unit": TOWNSHIP, "facts": facts | {"backdate_reason": "补录"}},
        {"external_id": "MT-2", "unit": TOWNSHIP, "facts": facts},  # long ago, no reason: reported
    ]
    path = write_lines(tmp_path / "meetings.jsonl", rows)
    async with httpx.AsyncClient(base_url=http.base_url, headers=bearer(CITY_TOKEN), timeout=30) as client:
        state = await run_import(path, "meetings", "archive-2025", "3205", client, show_progress=False)
        assert (state.imported, state.duplicate, state.failed) == (1, 0, 1)
        spreadsheet = tmp_path / "meetings.csv"
        spreadsheet.write_text("external_id,unit\nMT-3,3205\n", encoding="utf-8")
        with pytest.raises(ImportFailed, match="JSON lines"):
            await run_import(spreadsheet, "meetings", "archive-2025", "3205", client, show_progress=False)


async def test_a_responsibility_list_and_its_outlets_import_once_with_a_per_row_report(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    await register_units(http)
    county = "3205.320506"
    holder = {"staff_no": "W001", "person_name": "王芳", "since": "2025-01-02"}
    posts: list[dict[str, Any]] = [
        {
            "post_id": "wz-io",
            "unit": county,
            "kind": "information_officer",
            "title": "信息宣传员",
            "holder": holder,
        },
        {
            "post_id": "wz-bad",
            "unit": county,
            "kind": "branch_secretary",
            "title": "支部书记",
        },  # wrong unit kind
    ]
    outlet = {"unit": county, "kind": "website", "name": "吴中区民政局网站", "owner_post_id": "wz-io"}
    outlets = [outlet | {"outlet_id": "wz-web", "effective_on": "2025-02-01"}]
    async with httpx.AsyncClient(base_url=http.base_url, headers=bearer(CITY_TOKEN), timeout=30) as client:
        state = await run_import(
            write_lines(tmp_path / "posts.jsonl", posts),
            "posts",
            "list-2025",
            "3205",
            client,
            show_progress=False,
        )
        assert (state.imported, state.duplicate, state.failed) == (1, 0, 1)
        assert [p["field"] for p in state.problems] == ["kind"]
        path = write_lines(tmp_path / "outlets.jsonl", outlets)
        state = await run_import(path, "outlets", "list-2025", "3205", client, show_progress=False)
        assert (state.imported, state.duplicate, state.failed) == (1, 0, 0)
        path.with_name(path.name + ".sanji-import.json").unlink()
        # the same batch under the same key gets its stored reply; under a new run's key it is decided
        # afresh, and the outlet already registered just so is a duplicate
        again = await run_import(path, "outlets", "list-2025-again", "3205", client, show_progress=False)
        assert (again.imported, again.duplicate, again.failed) == (0, 1, 0)
        assert again.problems[0]["reason"] == "already imported as wz-web"

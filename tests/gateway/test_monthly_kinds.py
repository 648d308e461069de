"""The outreach unit page's months by kind against a real stack: activities logged this year and last; the
chart stacks this year's by kind with last year's totals as a line, its table says the same, and both are
the activities logged; a unit with none says "本期暂无数据"."""

from __future__ import annotations

import re

import httpx

from tests.gateway.support import activity, log_activity
from tests.gateway.test_list_pages import chart_option
from tests.helpers import wait_until

TOWN, COUNTY, OTHER_COUNTY = "3205.320506.320506001", "3205.320506", "3205.320507"
PAGE = f"/outreach/units/{COUNTY}"
LOGGED = [  # (id, unit, kind, held on)
    ("monthkind-1", TOWN, "training", "2026-03-02"),
    ("monthkind-2", TOWN, "training", "2026-03-09"),
    ("monthkind-3", COUNTY, "lecture", "2026-03-16"),
    ("monthkind-4", TOWN, "lecture", "2026-07-01"),
    ("monthkind-5", TOWN, "lecture", "2025-03-10"),
    ("monthkind-6", COUNTY, "training", "2025-05-10"),
    ("monthkind-7", COUNTY, "outreach_talk", "2025-05-11"),
    ("monthkind-8", OTHER_COUNTY, "training", "2026-03-02"),  # another county's: in neither
]


def table(page: str) -> list[list[str]]:
    body = page.split('id="chart-month-kinds"', 1)[1].split("</figure>", 1)[0]
    head = re.findall(r"<th[^>]*>([^<]*)</th>", body.split("</thead>", 1)[0])
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    return [head] + [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows
    ]


async def test_months_by_kind_against_last_year_equal_their_table_and_the_activities(
    clerk: httpx.AsyncClient,
) -> None:
    for activity_id, unit, kind, held_on in LOGGED:
        logged = await log_activity(clerk, activity(activity_id, unit, 10, kind) | {"held_on": held_on})
        assert logged.status_code == 200, logged.text

    seen: list[list[str]] = []

    async def drawn() -> bool:
        page = (await clerk.get(PAGE, params={"period": "2026"})).text
        if 'id="chart-month-kinds-option"' not in page:
            return False
        rows = table(page)
        seen[:] = rows
        return (
            rows[3][1:] == ["1", "2", "3", "1"] and rows[5][-1] == "2" and rows[7][1:] == ["1", "0", "1", "0"]
        )

    await wait_until(drawn, message=lambda: f"the months by kind never showed the activities: {seen}")
    page = (await clerk.get(PAGE, params={"period": "2026"})).text
    option = chart_option(page, "chart-month-kinds")
    head, *rows = table(page)
    assert head == ["月份", "民政大讲堂", "培训", "2026年合计", "2025年合计"]  # only the kinds held
    assert [s["name"] for s in option["series"]] == [*head[1:-2], "2025年合计"]
    assert [s["type"] for s in option["series"]] == ["bar", "bar", "line"]
    assert all(s["stack"] == "total" for s in option["series"][:-1])
    assert option["xAxis"]["data"] == [row[0] for row in rows]
    assert len(rows) == 12
    for i, series in enumerate(option["series"][:-1]):
        assert series["data"] == [int(row[1 + i]) for row in rows], series["name"]
    assert option["series"][-1]["data"] == [int(row[-1]) for row in rows]
    assert option["series"][-1]["data"] == [
        0,
        0,
        1,
        0,
        2,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]  # last year's, not the other county's
    assert [int(row[-2]) for row in rows] == [0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0]

    other = await clerk.get(f"/outreach/units/{COUNTY}.320506099", params={"period": "2026"})
    assert other.status_code == 404
    empty = (await clerk.get(f"/outreach/units/{COUNTY}", params={"period": "2024"})).text
    figure = empty.split('id="chart-month-kinds"', 1)[1].split("</figure>", 1)[0]
    assert "本期暂无数据" in figure

"""The opinion unit page's response times by severity against a real stack: cases graded, assigned and
acknowledged by form; the chart draws each severity's median hours, its table says the same, and the
counts are the cases set up; a unit with none says "本期暂无数据"."""

from __future__ import annotations

import re

import httpx

from tests.gateway.opinion_support import COUNTY, OTHER_COUNTY, TOWN, report_case, step
from tests.gateway.test_list_pages import chart_option
from tests.helpers import wait_until

PAGE = f"/opinion/units/{COUNTY}"


def table(page: str) -> dict[str, list[str]]:
    """Severity → the cells of its row in the chart's table."""
    body = page.split('id="chart-times-severity"', 1)[1].split("</figure>", 1)[0].split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return {
        cells[0]: cells[1:]
        for cells in (
            [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in rows
        )
    }


async def test_response_times_by_severity_equal_their_table_and_the_cases(clerk: httpx.AsyncClient) -> None:
    acknowledged = {"II": 2, "IV": 0}
    for severity, (n, done) in {"II": (2, 2), "IV": (1, 0)}.items():
        for i in range(n):
            case_id = await report_case(clerk, COUNTY, f"用时{severity}-{i}")
            grade = {
                "relevant": "yes",
                "category": "elderly_care",
                "severity": severity,
                "owning_unit": COUNTY,
            }
            await step(clerk, case_id, "grade", grade)
            await step(clerk, case_id, "assign", {"to_unit": TOWN})
            if i < done:
                await step(clerk, case_id, "acknowledge", {})

    async def drawn() -> bool:
        page = (await clerk.get(PAGE)).text
        return 'id="chart-times-severity-option"' in page and table(page).get("重大(II)", [""])[1] == "2"

    await wait_until(drawn, message="the times by severity never showed the two acknowledged cases")
    page = (await clerk.get(PAGE)).text
    option = chart_option(page, "chart-times-severity")
    rows = table(page)
    assert option["xAxis"]["data"] == list(rows) == ["重大(II)", "一般(IV)"]
    assert [series["name"] for series in option["series"]] == ["签收", "首次回应", "办结"]
    for s, series in enumerate(option["series"]):
        for label, median in zip(option["xAxis"]["data"], series["data"], strict=True):
            shown = rows[label][2 * s]
            assert shown == ("—" if median is None else str(median)), (label, series["name"])
    assert [rows[label][1] for label in rows] == [str(n) for n in acknowledged.values()]
    assert option["series"][0]["data"][0] is not None  # the two acknowledged are timed
    assert option["series"][0]["data"][1] is None  # none acknowledged at IV: no time, not zero
    assert rows["重大(II)"][5] == rows["一般(IV)"][5] == "0"  # none closed

    other = (await clerk.get(f"/opinion/units/{OTHER_COUNTY}")).text
    figure = other.split('id="chart-times-severity"', 1)[1].split("</figure>", 1)[0]
    assert "本期暂无数据" in figure
    assert "<tbody>\n  \n  </tbody>" in figure or "<tr><td>" not in figure

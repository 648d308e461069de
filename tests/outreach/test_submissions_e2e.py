"""信息报送 through NATS and PostgreSQL: items sent and adopted, counted per unit, level and period in
the view; a quota with its shortfall; units without an information officer (duty's post, missing or
vacant) named; a clerk may not set a quota, nor record an adoption of an item another unit sent."""

from __future__ import annotations

from typing import Any

from contracts.commands import Actor, Role
from tests.helpers import wait_until
from tests.outreach.support import TOWNSHIP, query, register_units
from tests.stack import CITY_ADMIN, client, running

CITY, COUNTY, TOWNSHIP2 = "3205", "3205.320506", "3205.320506.320506002"
SECTION = "3205.dept01"
REASON = "一季度信息报送台账补录"
CLERK = Actor(id="clerk@3205", scope=CITY, roles=frozenset({Role.CLERK}))


def item(submission_id: str, unit: str, day: str, level: str = "city") -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "unit": unit,
        "title": "我局开展养老服务政策宣讲",
        "submitted_on": day,
        "level": level,
        "recipient": "苏州市民政局办公室",
        "backdate_reason": REASON,
    }


def adopted(submission_id: str, unit: str, day: str, level: str, outlet: str) -> dict[str, Any]:
    body = {"submission_id": submission_id, "unit": unit, "adopted_on": day, "level": level, "outlet": outlet}
    return body | {"backdate_reason": REASON}


async def ok(sanji: Any, name: str, body: dict[str, Any], actor: Actor = CITY_ADMIN) -> None:
    reply = await sanji.send(name, body, actor)
    assert reply.ok, (name, reply.error)


async def test_submissions_adoptions_quotas_and_officers_in_the_view(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        await register_units(sanji)
        await ok(sanji, "duty.register_unit", {"path": SECTION, "name": "宣传教育处", "kind": "department"})
        # The section's information officer is in post; the county's post is vacant; townships have none.
        for post_id, unit in (("io-dept01", SECTION), ("io-county", COUNTY)):
            post = {"post_id": post_id, "unit": unit, "kind": "information_officer", "title": "信息宣传员"}
            await ok(sanji, "duty.create_post", post)
        holder = {"staff_no": "SZ-0001", "person_name": "王芳", "effective_on": "2025-01-02"}
        await ok(sanji, "duty.fill_post", {"post_id": "io-dept01", "unit": SECTION} | holder)

        async def section_known() -> bool:
            reply = await sanji.send(
                "outreach.record_submission",
                item("sub-e2e-01", SECTION, "2025-02-10", "province"),
                CITY_ADMIN,
            )
            return reply.ok

        await wait_until(section_known, message="outreach never learned the section")
        await ok(sanji, "outreach.record_submission", item("sub-e2e-02", TOWNSHIP, "2025-03-05"))
        await ok(sanji, "outreach.record_submission", item("sub-e2e-03", TOWNSHIP2, "2025-04-02"))
        await ok(
            sanji,
            "outreach.record_adoption",
            adopted("sub-e2e-01", SECTION, "2025-03-20", "province", "江苏民政信息"),
        )
        await ok(
            sanji,
            "outreach.record_adoption",
            adopted("sub-e2e-01", SECTION, "2025-04-08", "national", "中国社会报"),
        )

        # Another unit's item is answered like a missing one; a quota is a leader's or an admin's.
        stolen = await sanji.send(
            "outreach.record_adoption",
            adopted("sub-e2e-02", SECTION, "2025-03-20", "city", "苏州民政"),
            CITY_ADMIN,
        )
        assert stolen.error is not None
        assert stolen.error.code == "not_found", stolen.error
        goal = {"unit": COUNTY, "year": 2025, "measure": "submitted", "cadence": "quarter", "count": 2}
        refused = await sanji.send("outreach.set_quota", goal, CLERK)
        assert refused.error is not None
        assert refused.error.code == "forbidden", refused.error
        await ok(sanji, "outreach.set_quota", goal)
        await ok(
            sanji,
            "outreach.set_quota",
            {"unit": CITY, "year": 2025, "measure": "adopted", "cadence": "year", "count": 3},
        )

        seen: dict[str, Any] = {}

        async def counted() -> bool:
            seen.update(await query(sanji, "outreach.submissions", path=CITY, period="2025-Q1"))
            ready = seen["adopted"]["total"] == 1 and len(seen["quotas"]) == 1
            return ready and seen["submitted"]["total"] == 2

        await wait_until(counted, message=lambda: f"the view never counted the first quarter's items: {seen}")
        q1 = seen
        assert q1["submitted"]["by_level"] == {"province": 1, "city": 1}
        assert q1["adopted"]["by_level"] == {"province": 1}
        children = {
            row["path"]: (row["submitted"]["total"], row["adopted"]["total"]) for row in q1["children"]
        }
        assert children == {COUNTY: (1, 0), SECTION: (1, 1)}
        county_row = next(row for row in q1["children"] if row["path"] == COUNTY)  # its own quota, short
        assert [(p["period"], p["shortfall"]) for p in county_row["quotas"][0]["periods"]] == [("2025-Q1", 1)]
        (adoptions,) = q1["quotas"]
        assert (adoptions["measure"], adoptions["count"], adoptions["year"]["actual"]) == ("adopted", 3, 2)
        assert adoptions["year"]["shortfall_closed"] == 1  # two adoptions in 2025 against three
        assert {item["submission_id"] for item in q1["items"]} == {"sub-e2e-01", "sub-e2e-02"}
        first = next(item for item in q1["items"] if item["submission_id"] == "sub-e2e-01")
        assert [a["outlet"] for a in first["adoptions"]] == ["江苏民政信息", "中国社会报"]
        # Units that send information and have no officer in post on the quarter's last day.
        assert [unit["path"] for unit in q1["without_officer"]] == [CITY, COUNTY, TOWNSHIP, TOWNSHIP2]

        county = await query(sanji, "outreach.submissions", path=COUNTY, period="2025")
        (quota,) = county["quotas"]
        by_quarter = [(p["period"], p["actual"], p["shortfall"]) for p in quota["periods"]]
        assert by_quarter == [("2025-Q1", 1, 1), ("2025-Q2", 1, 1), ("2025-Q3", 0, 2), ("2025-Q4", 0, 2)]
        assert quota["shortfall"] == 6

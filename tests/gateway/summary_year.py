"""A year (2025) of the county 吴中区's records written through commands, and the figures of its work
summary counted by hand from them. One activity and one submission of 2024 give previous-year values;
records of the other county (相城区) must count nowhere in 吴中区's figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.commands import Actor, Role
from services.eventkit.client import SanjiClient
from tests.helpers import wait_until
from tests.opinion.builders import CITY, COUNTY, OTHER_COUNTY, TOWN, TOWN2
from tests.opinion.support import LEADER, item, send_ok
from tests.projection.assessment_support import bulletin, row, score

REASON = "年度台账补录"
WRITER = Actor(id="writer@320506001", scope=TOWN, roles=frozenset({Role.CLERK}))
FIRST_READER = Actor(id="reader1@320506", scope=COUNTY, roles=frozenset({Role.CLERK}))
SECOND_READER = Actor(id="reader2@320506", scope=COUNTY, roles=frozenset({Role.CLERK}))
OUTLET, BOARD = "o-320506001-wechat", "o-320506002-board"

# (id, unit, kind, subtype, held_on, audience)
ACTIVITIES = [
    ("act-2024-01", TOWN, "lecture", None, "2024-12-20", 10),
    ("act-2025-01", TOWN, "lecture", None, "2025-02-10", 30),
    ("act-2025-02", TOWN, "outreach_talk", None, "2025-03-31", 50),
    ("act-2025-03", TOWN2, "drill", None, "2025-06-15", 20),
    ("act-2025-04", COUNTY, "lecture", "red_base", "2025-08-01", 40),
    ("act-2025-05", TOWN, "outreach_talk", None, "2025-11-20", 60),
    ("act-2025-06", OTHER_COUNTY, "lecture", None, "2025-05-05", 99),
]
# (id, unit, kind, held_on, attendance)
MEETINGS = [
    ("mtg-2025-01", COUNTY, "party_group_meeting", "2025-03-20", 12),
    ("mtg-2025-02", COUNTY, "situation_analysis", "2025-06-25", 8),
    ("mtg-2025-03", TOWN, "situation_analysis", "2025-12-10", 5),
    ("mtg-2025-04", OTHER_COUNTY, "situation_analysis", "2025-06-25", 9),
]
# 信息报送: (id, unit, submitted_on, level); adoptions count by the day adopted, not the day sent.
SUBMISSIONS = [
    ("sub-2024-01", TOWN, "2024-11-11", "city"),
    ("sub-2025-01", TOWN, "2025-01-15", "city"),
    ("sub-2025-02", TOWN, "2025-05-20", "province"),
    ("sub-2025-03", COUNTY, "2025-09-03", "city"),
    ("sub-2025-04", TOWN2, "2025-12-30", "city"),
    ("sub-2025-05", OTHER_COUNTY, "2025-03-01", "city"),
]
# (id, unit, adopted_on, level, outlet)
ADOPTIONS = [
    ("sub-2024-01", TOWN, "2025-01-05", "city", "苏州民政"),  # sent in 2024, adopted in Q1 2025
    ("sub-2025-01", TOWN, "2025-01-20", "city", "苏州民政"),
    ("sub-2025-02", TOWN, "2025-07-02", "province", "江苏民政信息"),  # sent in Q2, adopted in Q3
    ("sub-2025-02", TOWN, "2025-07-10", "national", "中国社会报"),
    ("sub-2025-05", OTHER_COUNTY, "2025-03-05", "city", "苏州民政"),
]

# Hand counts: figure code → (2025, Q1, Q2, Q3, Q4); the previous year (2024) where it is not 0.
YEAR: dict[str, tuple[Any, ...]] = {
    "activities.activities": (5, 2, 1, 1, 1),
    "activities.audience": (200, 80, 20, 40, 60),
    "activities.activities.kind.lecture": (2, 1, 0, 1, 0),
    "activities.audience.kind.lecture": (70, 30, 0, 40, 0),
    "activities.activities.kind.outreach_talk": (2, 1, 0, 0, 1),
    "activities.activities.kind.drill": (1, 0, 1, 0, 0),
    "activities.activities.subtype.lecture/red_base": (1, 0, 0, 1, 0),
    "meetings.meetings": (3, 1, 1, 0, 1),
    "meetings.attendance": (25, 12, 8, 0, 5),
    "meetings.meetings.kind.situation_analysis": (2, 0, 1, 0, 1),
    "meetings.meetings.kind.party_group_meeting": (1, 1, 0, 0, 0),
    "surveys.surveys": (2, 0, 1, 1, 0),
    "surveys.problems_found": (3, 0, 2, 1, 0),
    "surveys.problems_solved": (2, 0, 1, 1, 0),
    "awards.awards": (1, 0, 0, 1, 0),
    "awards.awards.kind.best_window": (1, 0, 0, 1, 0),
    "publications.published": (2, 0, 1, 0, 1),
    "publications.published.kind.commentary": (1, 0, 1, 0, 0),
    "publications.published.kind.article": (1, 0, 0, 0, 1),
    "publications.published.column.民政观察": (1, 0, 1, 0, 0),
    f"publications.published.outlet.{OUTLET}": (2, 0, 1, 0, 1),
    "publications.reviews": (6, 0, 3, 0, 3),
    "publications.proofread": (1, 0, 1, 0, 0),  # pub-2025-01 went through 三校; pub-2025-02 did not
    "submissions.submitted": (4, 1, 1, 1, 1),
    "submissions.submitted.level.city": (3, 1, 0, 1, 1),
    "submissions.submitted.level.province": (1, 0, 1, 0, 0),
    "submissions.submitted.level.national": (0, 0, 0, 0, 0),
    "submissions.adopted": (4, 2, 0, 2, 0),
    "submissions.adopted.level.city": (2, 2, 0, 0, 0),
    "submissions.adopted.level.province": (1, 0, 0, 1, 0),
    "submissions.adopted.level.national": (1, 0, 0, 1, 0),
    # The county office has no information officer; both townships have had one since 2024-06-01.
    "submissions.without_officer": (1, 1, 1, 1, 1),
    f"submissions.without_officer.unit.{COUNTY}": (1, 1, 1, 1, 1),
    "outlets.set_up": (2, 1, 0, 1, 0),
    "outlets.set_up.kind.wechat_account": (1, 1, 0, 0, 0),
    "outlets.set_up.kind.bulletin_board": (1, 0, 0, 1, 0),
    "outlets.closed": (1, 0, 0, 0, 1),
    "outlets.inspections": (1, 0, 0, 1, 0),
    "outlets.inspected": (2, 0, 0, 2, 0),
    "rectifications.opened": (1, 0, 0, 1, 0),
    "rectifications.closed_on_time": (1, 0, 0, 1, 0),
    "rectifications.closed_late": (0, 0, 0, 0, 0),
    "opinion.items": (3, 1, 1, 1, 0),
    "opinion.incidents": (2, 1, 1, 0, 0),
    "opinion.incidents.severity.IV": (1, 1, 0, 0, 0),
    "opinion.incidents.severity.III": (1, 0, 1, 0, 0),
    "opinion.first_response_hours.severity.IV": (2.0, 2.0, None, None, None),
    "opinion.close_hours.severity.IV": (5.0, 5.0, None, None, None),
    "drills.drills": (1, 0, 1, 0, 0),
    "drills.opinion_drills": (1, 0, 0, 1, 0),
    "assessment.total": (88.5, None, None, 90, None),
    "assessment.own": (90, None, None, 90, None),
    "assessment.rank": (1, None, None, None, None),  # ranked in the city's bulletin of the year
    # On each period's last day, against the city's cadence (WeChat every 3 months, boards every 6):
    # the WeChat account is due 2 Apr (registered 2 Jan), then 20 Nov (inspected 20 Aug); the board runs
    # from 1 Jul (due 20 Feb 2026 after its inspection) until it closes on 1 Nov.
    "outlets.inspection_on_time": (0, 1, 0, 2, 0),
    "outlets.inspection_overdue": (1, 0, 1, 0, 1),
    # Three offices (吴中区, 长桥, 郭巷) owe a report on each half-year, counted in the quarter it ends.
    "half_year_reports.reports_due": (6, 0, 3, 0, 3),
    "half_year_reports.reports_on_time": (2, 0, 1, 0, 1),
    "half_year_reports.reports_late": (2, 0, 1, 0, 1),
    "half_year_reports.reports_overdue": (2, 0, 1, 0, 1),
    "half_year_reports.reports_pending": (0, 0, 0, 0, 0),  # every deadline has passed
    # 慈善总会 from 1 Mar (liaison, party organization from 1 Oct), 志愿者协会 from 15 Aug (party organization).
    "social_organizations.registered": (2, 1, 1, 2, 2),
    "social_organizations.with_party_organization": (2, 0, 0, 1, 2),
    "social_organizations.with_liaison": (0, 1, 1, 1, 0),
    "social_organizations.coverage_rate": (100.0, 0.0, 0.0, 50.0, 100.0),
    "social_organizations.organizations_inspected": (2, 0, 1, 1, 1),
    "social_organizations.inspections": (3, 0, 1, 1, 1),
}
# The assessment's scores, as its service would publish them: the year (ranked in the city's bulletin),
# Q3 provisional, and last year for the comparison.
SCORES = [
    score(COUNTY, "2024", 80),
    score(COUNTY, "2025", 88.5, own=90),
    score(COUNTY, "2025-Q3", 90),
    score(OTHER_COUNTY, "2025", 85),
    bulletin(
        CITY,
        "2025",
        1,
        [row(COUNTY, "吴中区民政局", CITY, 88.5, 1, own=90), row(OTHER_COUNTY, "相城区民政局", CITY, 85, 2)],
    ),
]
PREVIOUS_YEAR = {
    "submissions.submitted": 1,
    "submissions.submitted.level.city": 1,
    "submissions.without_officer": 1,
    "activities.activities": 1,
    "activities.activities.kind.lecture": 1,
    "activities.audience": 10,
    "outlets.inspection_overdue": 0,  # no cadence and no outlet yet at the end of 2024
    "half_year_reports.reports_due": 6,
    "half_year_reports.reports_on_time": 1,  # 吴中区 on 2024-H2, the rest never made
    "half_year_reports.reports_overdue": 5,
    "social_organizations.registered": 0,
    "social_organizations.coverage_rate": None,  # no organization: no rate, not 0 %
}
ORG, ORG2, OTHER_ORG = f"{COUNTY}.org01", f"{TOWN}.org02", f"{OTHER_COUNTY}.org01"
PLANS = {  # figure code → (2025, each quarter)
    "activities.activities.kind.lecture": (4, 1),
    "activities.activities": (4, 1),
    "meetings.meetings.kind.situation_analysis": (2, None),
    "submissions.submitted": (8, 2),  # 2 a quarter
    "submissions.adopted": (3, None),  # 3 a year: no plan for a quarter
    "publications.published": (2, None),
}
# Quotas of the county for 2025: (measure, cadence, count).
QUOTAS = [("submitted", "quarter", 2), ("adopted", "year", 3), ("published", "year", 2)]


async def send(sanji: SanjiClient, name: str, body: dict[str, Any], actor: Actor = LEADER) -> None:
    await send_ok(sanji, name, body, actor)


async def when_known(sanji: SanjiClient, name: str, body: dict[str, Any]) -> None:
    """Send, again while the service has not yet learned the unit from duty's events (asynchronously)."""

    async def sent() -> bool:
        reply = await sanji.send(name, body, LEADER)
        assert reply.ok or (reply.error is not None and reply.error.code == "not_found"), reply.error
        return reply.ok

    await wait_until(sent, message=f"{name}: the unit {body['unit']} was never known")


async def outreach_records(sanji: SanjiClient) -> None:
    subtype = {"unit": CITY, "kind": "lecture", "subtype": "red_base", "name": "红色教育基地现场教学"}
    await send(sanji, "outreach.define_activity_subtype", subtype)
    target = {
        "unit": COUNTY,
        "year": 2025,
        "kind": "lecture",
        "cadence": "quarter",
        "count": 1,
        "scope": "subtree",
    }
    await send(sanji, "outreach.set_target", target)
    goal = {"unit": COUNTY, "year": 2025, "kind": "situation_analysis", "cadence": "year", "count": 2}
    await send(sanji, "outreach.set_meeting_target", goal)
    for activity_id, unit, kind, subtype_code, held_on, audience in ACTIVITIES:
        body = {
            "activity_id": activity_id,
            "unit": unit,
            "kind": kind,
            "topic": "政策宣讲",
            "held_on": held_on,
            "audience": audience,
        }
        await when_known(
            sanji, "outreach.log_activity", body | ({"subtype": subtype_code} if subtype_code else {})
        )
    for meeting_id, unit, kind, held_on, attendance in MEETINGS:
        facts = {"kind": kind, "held_on": held_on, "attendance": attendance, "topics": ["意识形态工作"]}
        facts["backdate_reason"] = REASON
        await send(sanji, "outreach.record_meeting", {"meeting_id": meeting_id, "unit": unit, "facts": facts})
    for survey_id, held_on, problems in (
        (
            "survey-01",
            "2025-04-15",
            [{"description": "宣传栏陈旧", "solved": True}, {"description": "无专人审核"}],
        ),
        ("survey-02", "2025-09-09", [{"description": "意识形态岗职责未上墙", "solved": True}]),
    ):
        survey = {
            "survey_id": survey_id,
            "unit": COUNTY,
            "held_on": held_on,
            "led_by": "张明",
            "topic": "阵地管理调研",
            "places": ["便民服务中心"],
            "problems": problems,
            "backdate_reason": REASON,
        }
        await send(sanji, "outreach.record_field_survey", survey)
    award = {
        "award_id": "award-01",
        "unit": COUNTY,
        "kind": "best_window",
        "title": "2025年度最美民政窗口",
        "recipient": "社会救助服务窗口",
        "awarded_by": "苏州市民政局",
        "awarded_on": "2025-09-28",
        "backdate_reason": REASON,
    }
    await send(sanji, "outreach.record_award", award)


async def duty_records(sanji: SanjiClient) -> None:
    for post_id, unit in (("post-town", TOWN), ("post-town2", TOWN2)):
        post = {"post_id": post_id, "unit": unit, "kind": "information_officer", "title": "信息宣传员"}
        await send(sanji, "duty.create_post", post)
        holder = {"staff_no": f"SZ-{post_id}", "person_name": "王芳", "effective_on": "2024-06-01"}
        await send(sanji, "duty.fill_post", {"post_id": post_id, "unit": unit} | holder)
    for outlet_id, unit, kind, name, day, owner in (
        (OUTLET, TOWN, "wechat_account", "长桥街道公众号", "2025-01-02", "post-town"),
        (BOARD, TOWN2, "bulletin_board", "郭巷街道宣传栏", "2025-07-01", "post-town2"),
    ):
        outlet = {"outlet_id": outlet_id, "unit": unit, "kind": kind, "name": name, "owner_post_id": owner}
        await send(sanji, "duty.register_outlet", outlet | {"effective_on": day})
    finding = {"finding_id": "f1", "outlet_id": BOARD, "item": "stale_content", "description": "内容陈旧"}
    inspection = {
        "inspection_id": "insp-01",
        "unit": COUNTY,
        "inspected_on": "2025-08-20",
        "inspector": "区民政局",
        "outlets_checked": [OUTLET, BOARD],
        "findings": [finding],
    }
    await send(sanji, "duty.record_inspection", inspection)
    opened = {"occurred_at": "2025-08-21T09:00:00+08:00", "backdate_reason": REASON}
    rectification = {
        "rectification_id": "rect-01",
        "inspection_id": "insp-01",
        "finding_id": "f1",
        "unit": COUNTY,
    }
    await send(
        sanji, "duty.open_rectification", rectification | opened | {"workdays": 5, "instructions": "更新内容"}
    )
    closing: dict[str, Any] = {
        "rectification_id": "rect-01",
        "unit": COUNTY,
        "summary": "已更新",
        "backdate_reason": REASON,
    }
    closing["evidence"] = [{"description": "更新后的宣传栏照片", "reference": "吴民宣〔2025〕8号"}]
    await send(sanji, "duty.close_rectification", closing | {"occurred_at": "2025-08-25T17:00:00+08:00"})
    closed = {"outlet_id": BOARD, "unit": TOWN2, "status": "closed", "reason": "并入社区宣传栏"}
    await send(sanji, "duty.change_outlet_status", closed | {"effective_on": "2025-11-01"})


async def recurring_duties(sanji: SanjiClient) -> None:
    """Cadences, half-yearly reports (the 2025-H2 deadline is 15 Jan 2026: New Year's days do not count)
    and social organizations; the other county's report, organization and inspection count nowhere."""
    for kind, months in (("wechat_account", 3), ("bulletin_board", 6)):
        cadence = {"unit": CITY, "kind": kind, "months": months, "effective_on": "2025-01-01"}
        await send(sanji, "duty.set_inspection_cadence", cadence)
    for unit, half, moment in (
        (COUNTY, "2024-H2", "2025-01-15T10:00:00+08:00"),
        (COUNTY, "2025-H1", "2025-07-10T10:00:00+08:00"),
        (TOWN, "2025-H1", "2025-07-15T10:00:00+08:00"),  # the day after the deadline: late
        (COUNTY, "2025-H2", "2026-01-15T17:00:00+08:00"),  # the last working day: on time
        (TOWN, "2025-H2", "2026-01-16T09:00:00+08:00"),
        (OTHER_COUNTY, "2025-H1", "2025-07-01T10:00:00+08:00"),
    ):
        report = {"unit": unit, "half_year": half, "reported_to": "中共区委宣传部", "occurred_at": moment}
        await send(sanji, "duty.record_half_year_report", report | {"backdate_reason": REASON})
    for path, name, since in (
        (ORG, "吴中区慈善总会", "2025-03-01"),
        (ORG2, "长桥街道志愿者协会", "2025-08-15"),
        (OTHER_ORG, "相城区慈善总会", "2025-01-01"),
    ):
        organization = {"path": path, "name": name, "kind": "social_organization", "effective_on": since}
        await send(sanji, "duty.register_unit", organization)
    for path, coverage, since in (
        (ORG, "liaison", "2025-03-01"),
        (ORG, "party_organization", "2025-10-01"),
        (ORG2, "party_organization", "2025-08-15"),
        (OTHER_ORG, "party_organization", "2025-01-01"),
    ):
        await send(
            sanji, "duty.set_party_coverage", {"unit": path, "coverage": coverage, "effective_on": since}
        )
    for inspection_id, path, day in (
        ("so-01", ORG, "2025-05-20"),
        ("so-02", ORG, "2025-11-05"),
        ("so-03", ORG2, "2025-09-01"),
        ("so-04", OTHER_ORG, "2025-06-01"),
    ):
        inspection = {
            "inspection_id": inspection_id,
            "unit": path,
            "inspected_on": day,
            "inspector": "区民政局",
        }
        await send(sanji, "duty.record_organization_inspection", inspection)


async def publications(sanji: SanjiClient) -> None:
    for publication_id, kind, column, day in (
        ("pub-2025-01", "commentary", "民政观察", "2025-05"),
        ("pub-2025-02", "article", None, "2025-10"),
    ):

        def at(hour: int, day: str = day) -> dict[str, str]:
            return {"occurred_at": f"{day}-01T{hour:02d}:00:00+08:00", "backdate_reason": REASON}

        submit = {
            "publication_id": publication_id,
            "unit": TOWN,
            "kind": kind,
            "title": "民政评论",
            "outlet_id": OUTLET,
        }
        await send(
            sanji,
            "outreach.submit_publication",
            submit | ({"column": column} if column else {}) | at(9),
            WRITER,
        )
        ids = {"publication_id": publication_id, "unit": TOWN, "decision": "approve"}
        for stage, actor, hour in (
            ("first", FIRST_READER, 10),
            ("second", SECOND_READER, 11),
            ("third", LEADER, 12),
        ):
            await send(sanji, "outreach.review_publication", ids | {"stage": stage} | at(hour), actor)
        publish = {
            "publication_id": publication_id,
            "unit": TOWN,
            "published_on": f"{day}-03",
            "backdate_reason": REASON,
        }
        if publication_id == "pub-2025-01":  # 三校 after the three reviews, by three people
            for number, actor, hour in ((1, FIRST_READER, 13), (2, SECOND_READER, 14), (3, LEADER, 15)):
                proofread = {"publication_id": publication_id, "unit": TOWN, "proofread": number} | at(hour)
                await send(sanji, "outreach.proofread_publication", proofread, actor)
        await send(sanji, "outreach.publish", publish)


async def submissions(sanji: SanjiClient) -> None:
    for measure, cadence, count in QUOTAS:
        quota = {"unit": COUNTY, "year": 2025, "measure": measure, "cadence": cadence, "count": count}
        await send(sanji, "outreach.set_quota", quota)
    for submission_id, unit, day, level in SUBMISSIONS:
        sent = {"submission_id": submission_id, "unit": unit, "title": "民政信息", "submitted_on": day}
        sent |= {"level": level, "recipient": "上级民政部门", "backdate_reason": REASON}
        await send(sanji, "outreach.record_submission", sent)
    for submission_id, unit, day, level, outlet in ADOPTIONS:
        adopted = {"submission_id": submission_id, "unit": unit, "adopted_on": day, "level": level}
        await send(sanji, "outreach.record_adoption", adopted | {"outlet": outlet, "backdate_reason": REASON})


async def opinion_records(sanji: SanjiClient) -> None:
    """C1 on the Q1/Q2 boundary in local time, graded and handled in a loop recorded after the fact; C2
    half an hour later (Q2 locally); a drill; an item graded as not relevant; one in the other county."""

    def at(moment: str) -> dict[str, str]:
        return {"occurred_at": moment, "backdate_reason": REASON}

    one = {"case_id": "case-2025-01"}
    await send(
        sanji,
        "opinion.report",
        item("case-2025-01", COUNTY, datetime.fromisoformat("2025-03-31T23:30:00+08:00")),
    )
    grade = {
        "unit": COUNTY,
        "relevant": True,
        "category": "elderly_care",
        "severity": "IV",
        "owning_unit": TOWN,
    }
    await send(sanji, "opinion.grade", one | grade | at("2025-04-01T00:30:00+08:00"))
    await send(
        sanji, "opinion.assign", one | {"unit": COUNTY, "to_unit": TOWN} | at("2025-04-01T01:00:00+08:00")
    )
    await send(sanji, "opinion.acknowledge", one | {"unit": TOWN} | at("2025-04-01T01:30:00+08:00"))
    action = {"unit": TOWN, "action": "verify", "description": "实地核实"}
    await send(sanji, "opinion.record_action", one | action | at("2025-04-01T02:30:00+08:00"))
    feedback = {"unit": TOWN, "said": "已发布情况通报", "reception": "accepted"}
    await send(sanji, "opinion.give_feedback", one | feedback | at("2025-04-01T04:00:00+08:00"))
    await send(
        sanji,
        "opinion.close",
        one | {"unit": COUNTY, "resolution": "处置完毕"} | at("2025-04-01T05:30:00+08:00"),
    )
    await send(
        sanji,
        "opinion.report",
        item("case-2025-02", COUNTY, datetime.fromisoformat("2025-03-31T16:30:00+00:00")),
    )
    grade2 = {
        "unit": COUNTY,
        "relevant": True,
        "category": "elderly_care",
        "severity": "III",
        "owning_unit": COUNTY,
    }
    await send(sanji, "opinion.grade", {"case_id": "case-2025-02"} | grade2 | at("2025-04-01T09:00:00+08:00"))
    await send(
        sanji,
        "opinion.report",
        item("case-2025-03", TOWN, datetime.fromisoformat("2025-07-10T10:00:00+08:00"), drill=True),
    )
    await send(
        sanji,
        "opinion.report",
        item("case-2025-04", TOWN2, datetime.fromisoformat("2025-09-01T10:00:00+08:00")),
    )
    await send(
        sanji,
        "opinion.grade",
        {"case_id": "case-2025-04", "unit": TOWN2, "relevant": False} | at("2025-09-01T11:00:00+08:00"),
    )
    await send(
        sanji,
        "opinion.report",
        item("case-2025-05", OTHER_COUNTY, datetime.fromisoformat("2025-05-01T10:00:00+08:00")),
    )


async def record_year(sanji: SanjiClient) -> None:
    await outreach_records(sanji)
    await duty_records(sanji)
    await recurring_duties(sanji)
    await publications(sanji)
    await submissions(sanji)
    await opinion_records(sanji)


async def until(check: Any, message: str) -> None:
    await wait_until(check, message=message, timeout=60)

"""The part of `sanji demo` that needs more than one person (services/cli/demo_cast.py), so that the work
summary has every figure of the year:

- publications under 三审三校: the demo's own token writes and submits each piece, an editor signs 初审,
  the section head 复审, a leader 终审; the piece is published two days later and its views are read a
  month on. One piece is sent back at 复审, revised and reviewed again; one still waits for 复审. Between
  初审 and 复审 the same three people proofread most pieces (三校: 一校、二校、三校, one each); the video
  is published after the three reviews alone.
- an inspection of 吴中区's new media in March finds three problems; each is opened as a rectification,
  the township sends evidence, and a leader signs two off in time and one late.

Every stage is back-dated to when it happened in the year (补录, with the reason). Deterministic with
idempotency keys, so running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from services.cli.demo import FIRST_DAY, LAST_DAY, Seeder
from services.cli.demo_cast import Cast
from services.eventkit.localtime import SHANGHAI
from services.eventkit.workdays import workday_deadline

REASON = "补录本年度工作记录"
COUNTY = "3205.320506"  # 吴中区: its year is the one told in full
TOWNS = ("3205.320506.320506001", "3205.320506.320506002")  # 长桥街道, 郭巷街道


@dataclass(frozen=True)
class Piece:
    publication_id: str
    unit: str
    outlet_id: str
    kind: str
    title: str
    column: str | None
    written_on: date  # submitted and 初审 that day, 复审 and 终审 the next, published the day after
    views: int
    sent_back: bool = False  # 复审 sends it back once; revised the next day, then reviewed again
    proofread: bool = True  # 三校 between 初审 and 复审 (of the revised piece, if sent back)


PIECES = [
    Piece("demo-pub-2026-001", "3205", "o-3205-wechat_account", "article",
          "市民政局召开意识形态工作专题会议", "民政要闻", date(2026, 1, 14), 3_482),
    Piece("demo-pub-2026-002", "3205", "o-3205-website", "notice",
          "关于开展社会救助政策宣传月活动的通知", "通知公告", date(2026, 2, 24), 1_276),
    Piece("demo-pub-2026-003", "3205", "o-3205-video_account", "video",
          "民政青年说：我身边的救助故事", None, date(2026, 4, 8), 12_905, proofread=False),
    Piece("demo-pub-2026-004", "3205", "o-3205-internal_publication", "commentary",
          "以高质量民政工作服务中国式现代化", "评论", date(2026, 5, 19), 640),
    Piece("demo-pub-2026-005", "3205", "o-3205-wechat_account", "image_post",
          "图说苏州养老服务体系建设", "民政要闻", date(2026, 7, 7), 5_118),
    Piece("demo-pub-2026-006", COUNTY, f"o-{COUNTY}-wechat_account", "article",
          "吴中区开展低保政策进社区宣讲", "基层动态", date(2026, 3, 10), 2_037),
    Piece("demo-pub-2026-007", COUNTY, f"o-{COUNTY}-website", "notice",
          "吴中区民政局政务公开工作要点", "通知公告", date(2026, 4, 21), 884),
    Piece("demo-pub-2026-008", COUNTY, f"o-{COUNTY}-wechat_account", "commentary",
          "让移风易俗新风吹进千家万户", "评论", date(2026, 9, 1), 1_530, sent_back=True),
    Piece("demo-pub-2026-009", TOWNS[0], f"o-{TOWNS[0]}-wechat_account", "image_post",
          "长桥街道重阳节敬老志愿服务", None, date(2026, 10, 19), 962),
    Piece("demo-pub-2026-010", "3205.320507", "o-3205.320507-website", "article",
          "相城区推进殡葬改革工作纪实", "基层动态", date(2026, 6, 15), 1_311),
]  # fmt: skip
WAITING = Piece("demo-pub-2026-011", COUNTY, f"o-{COUNTY}-website", "article",
                "吴中区养老服务补贴发放情况通报", None, date(2026, 10, 27), 0)  # fmt: skip
INSPECTION = "demo-inspection-2026-03-320506"
INSPECTED_ON = date(2026, 3, 9)
OPENED_ON = date(2026, 3, 10)
WORKDAYS = 5
# (finding id, outlet, negative-list item, what was found, the day a leader signed the fix off): due at
# the end of the fifth working day after the opening, so the first two are in time and the third late
FINDINGS = [
    ("f1", f"o-{TOWNS[0]}-wechat_account", "stale_content", "公众号春节后未更新", date(2026, 3, 13)),
    ("f2", f"o-{COUNTY}-wechat_account", "improper_wording", "转载文章中提法不规范", date(2026, 3, 16)),
    ("f3", f"o-{TOWNS[1]}-wechat_account", "personal_data", "救助公示中含身份证号码", date(2026, 4, 2)),
]


@dataclass
class YearRecord:
    """What this part recorded, for the summary to be checked against."""

    published: dict[str, int]  # by unit: pieces published
    views: dict[str, int]  # by unit
    proofread: dict[str, int] = field(default_factory=dict)  # by unit: pieces published after 三校
    opened: int = 0
    closed_on_time: int = 0
    closed_late: int = 0

    @property
    def total_published(self) -> int:
        return sum(self.published.values())

    @property
    def total_proofread(self) -> int:
        return sum(self.proofread.values())


def at(day: date, hour: int) -> str:
    """A local time of the year as the commands state it."""
    return datetime.combine(day, time(hour), SHANGHAI).isoformat()


def stated(day: date, hour: int) -> dict[str, str]:
    return {"occurred_at": at(day, hour), "backdate_reason": REASON}


class People:
    """A seeder per person: the demo's own token (author, publisher, clerk) and the cast."""

    def __init__(self, url: str, own: Seeder, cast: Cast) -> None:
        self.own = own
        self.clients = {
            part: httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            for part, token in cast.tokens.items()
        }
        self.seeders = {part: Seeder(client) for part, client in self.clients.items()}

    def __getitem__(self, part: str) -> Seeder:
        return self.seeders[part]

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()


async def _review(
    people: People, piece: Piece, stage: str, *, by: str, day: date, hour: int, key: str
) -> None:
    body = {"publication_id": piece.publication_id, "unit": piece.unit, "stage": stage, "decision": "approve"}
    await people[by].send("outreach.review_publication", body | stated(day, hour), f"{key}-{stage}")


# 三校 by the same three people, one proofread each, in the evening after 初审: (who, how many corrected).
PROOFREADERS = (("first_review", 3), ("second_review", 1), ("leader", 0))


async def _three_proofreads(people: People, piece: Piece, day: date, key: str) -> None:
    ref = {"publication_id": piece.publication_id, "unit": piece.unit}
    for number, (by, corrections) in enumerate(PROOFREADERS, start=1):
        body = ref | {"proofread": number, "corrections": corrections} | stated(day, 16 + number)
        await people[by].send("outreach.proofread_publication", body, f"{key}-proofread-{number}")


async def _three_reviews(people: People, piece: Piece, first_day: date, key: str) -> date:
    """初审 on ``first_day`` (and 三校 that evening, for most pieces), 复审 and 终审 the day after; the
    day the last was signed."""
    await _review(people, piece, "first", by="first_review", day=first_day, hour=15, key=key)
    if piece.proofread:
        await _three_proofreads(people, piece, first_day, key)
    signed = first_day + timedelta(days=1)
    await _review(people, piece, "second", by="second_review", day=signed, hour=10, key=key)
    await _review(people, piece, "third", by="leader", day=signed, hour=16, key=key)
    return signed


async def _piece(people: People, piece: Piece, today: date) -> bool:
    """Record one piece's life up to where it stands today; True if it was published."""
    ref = {"publication_id": piece.publication_id, "unit": piece.unit}
    key = f"demo-{piece.publication_id}"
    submit = ref | {"kind": piece.kind, "title": piece.title, "outlet_id": piece.outlet_id}
    if piece.column:
        submit["column"] = piece.column
    await people.own.send(
        "outreach.submit_publication", submit | stated(piece.written_on, 9), f"{key}-submit"
    )
    if piece is WAITING:
        await _review(people, piece, "first", by="first_review", day=piece.written_on, hour=15, key=key)
        return False
    first_day = piece.written_on
    if piece.sent_back:
        await _review(people, piece, "first", by="first_review", day=first_day, hour=15, key=f"{key}-r1")
        back = ref | {"stage": "second", "decision": "send_back", "comments": "引用数据需核实出处"}
        await people["second_review"].send(
            "outreach.review_publication", back | stated(first_day + timedelta(days=1), 10), f"{key}-r1-back"
        )
        first_day += timedelta(days=2)
        revise = ref | {"note": "已核实数据并注明出处"} | stated(first_day, 9)
        await people.own.send("outreach.revise_publication", revise, f"{key}-revise")
    signed = await _three_reviews(people, piece, first_day, key)
    published_on = signed + timedelta(days=1)
    publish = ref | {"published_on": published_on.isoformat(), "backdate_reason": REASON}
    await people.own.send("outreach.publish", publish, f"{key}-publish")
    as_of = min(published_on + timedelta(days=30), today)
    views = ref | {"views": piece.views, "as_of": as_of.isoformat()}
    await people.own.send("outreach.record_views", views, f"{key}-views")
    return True


async def seed_publications(people: People, today: date, record: YearRecord) -> None:
    last = min(LAST_DAY, today) - timedelta(days=5)  # every stage of a piece must lie in the past
    for piece in [*PIECES, WAITING]:
        if not FIRST_DAY <= piece.written_on <= last:
            continue
        if await _piece(people, piece, today):
            record.published[piece.unit] = record.published.get(piece.unit, 0) + 1
            record.views[piece.unit] = record.views.get(piece.unit, 0) + piece.views
            if piece.proofread:
                record.proofread[piece.unit] = record.proofread.get(piece.unit, 0) + 1


async def seed_rectifications(people: People, today: date, record: YearRecord) -> None:
    """The March inspection, its three rectifications, the townships' evidence and a leader's sign-off."""
    if max(close for *_, close in FINDINGS) > min(LAST_DAY, today):
        return
    findings = [
        {"finding_id": f, "outlet_id": outlet, "item": item, "description": text}
        for f, outlet, item, text, _ in FINDINGS
    ]
    inspection = {
        "inspection_id": INSPECTION,
        "unit": COUNTY,
        "inspected_on": INSPECTED_ON.isoformat(),
        "inspector": "市民政局宣传教育处",
        "outlets_checked": sorted({outlet for _, outlet, *_ in FINDINGS}),
        "findings": findings,
        "summary": "吴中区政务新媒体一季度专项检查",
    }
    await people.own.send("duty.record_inspection", inspection, f"demo-duty-{INSPECTION}")
    due_at = workday_deadline(datetime.fromisoformat(at(OPENED_ON, 10)), WORKDAYS).due_at
    for number, (finding_id, _, _, _, closed_on) in enumerate(FINDINGS, start=3):
        ref = {"rectification_id": f"demo-rect-2026-{finding_id}", "unit": COUNTY}
        key = f"demo-duty-{ref['rectification_id']}"
        body = ref | {"inspection_id": INSPECTION, "finding_id": finding_id, "workdays": WORKDAYS}
        body |= {"instructions": "按负面清单要求立行立改，五个工作日内报送整改材料"} | stated(OPENED_ON, 10)
        await people.own.send("duty.open_rectification", body, key)
        record.opened += 1
        evidence = [{"description": "整改后页面截图及审核记录", "reference": f"吴民宣〔2026〕{number}号"}]
        await people.own.send(
            "duty.add_rectification_evidence", ref | {"evidence": evidence}, f"{key}-evidence"
        )
        close = ref | {"summary": "已按要求整改到位，建立每周巡查机制"} | stated(closed_on, 17)
        await people["leader"].send("duty.close_rectification", close, f"{key}-close")
        if datetime.fromisoformat(close["occurred_at"]) > due_at:
            record.closed_late += 1
        else:
            record.closed_on_time += 1


async def seed_year(url: str, own: Seeder, cast: Cast, today: date, echo: Any) -> YearRecord:
    """Publications and rectifications of the year, through the cast (the outlets are duty's, registered
    by demo_duty.py before); what was recorded."""
    people = People(url, own, cast)
    record = YearRecord(published={}, views={})
    try:
        await seed_publications(people, today, record)
        await seed_rectifications(people, today, record)
    finally:
        await people.close()
    echo(
        f"publications: {record.total_published} published after three reviews by three people,"
        f" {record.total_proofread} of them proofread three times;"
        f" rectifications: {record.opened} opened, {record.closed_on_time} closed in time,"
        f" {record.closed_late} late"
    )
    return record

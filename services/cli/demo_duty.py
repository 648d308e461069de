"""The duty part of `sanji demo`: a believable responsibility structure for the demo city.

- every office has its first responsible person, a leader in charge, information officers; the
  bureau and the county offices have their leading group and its office; the bureau's sections have
  heads, and its deputies oversee them (一岗双责);
- outlets of the eight kinds, each answered for by a post (谁主办谁负责);
- a story: 吴中区's information officer leaves and one hand-over moves her outlets to the office
  director; 相城区's leaves and nobody has taken over yet (a coverage gap shows); an inspection of
  吴中区's township accounts finds two problems; one is already put right, its evidence awaiting a
  leader's sign-off.

Structure dates lie in 2025, so the demo runs on any later day; deterministic with idempotency keys.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from services.cli.demo import SEED, Seeder, Unit

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀英", "霞", "平", "刚", "建华", "晓东", "文斌", "海燕", "志刚", "丹", "婷", "鑫", "慧", "佳怡", "子涵"]  # fmt: skip
RECORDS_BEGIN = "2025-03-01"  # outlets were put on record (阵地备案) from this day
Command = tuple[str, dict[str, Any], str]  # (command name, body, idempotency key)


@dataclass
class DutyPlan:
    """Phases of commands: each phase after the previous one, commands within a phase in any order."""

    phases: list[list[Command]] = field(default_factory=lambda: [[] for _ in range(5)])
    staff: int = 0

    def add(self, phase: int, name: str, body: dict[str, Any], key: str) -> None:
        self.phases[phase].append((name, body, f"demo-duty-{key}"))

    def person(self, seed: str) -> tuple[str, str]:
        """A staff number and a name, the same on every run."""
        rng = random.Random(f"{SEED}:duty:{seed}")  # noqa: S311 - demo data, not secrets
        self.staff += 1
        return f"SZ{self.staff:05d}", rng.choice(SURNAMES) + rng.choice(GIVEN)

    def post(self, unit: str, role: str, kind: str, title: str, holder: tuple[str, str] | None = None) -> str:
        """Create a post and fill it (with ``holder``, or someone new) since a day before the records."""
        post_id = f"p-{unit}-{role}"
        self.add(
            0, "duty.create_post", {"post_id": post_id, "unit": unit, "kind": kind, "title": title}, post_id
        )
        staff_no, name = holder or self.person(post_id)
        rng = random.Random(f"{SEED}:since:{post_id}")  # noqa: S311 - demo data
        since = f"{rng.choice([2021, 2022, 2023, 2024])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        fill = {
            "post_id": post_id,
            "unit": unit,
            "staff_no": staff_no,
            "person_name": name,
            "effective_on": since,
        }
        self.add(1, "duty.fill_post", fill, f"fill-{post_id}")
        return post_id

    def outlet(self, unit: str, kind: str, name: str, owner: str, address: str | None = None) -> None:
        outlet_id = f"o-{unit}-{kind}"
        body = {
            "outlet_id": outlet_id,
            "unit": unit,
            "kind": kind,
            "name": name,
            "owner_post_id": owner,
            "effective_on": RECORDS_BEGIN,
        }
        if address:
            body["address"] = address
        self.add(2, "duty.register_outlet", body, outlet_id)

    def commands(self) -> Iterator[Command]:
        for phase in self.phases:
            yield from phase


def short(name: str) -> str:
    return name.removesuffix("民政局")


def _bureau(plan: DutyPlan, city: Unit, sections: list[Unit]) -> None:
    plan.post(city.path, "sec", "first_responsible", "党组书记、局长")
    deputies = [plan.person(f"{city.path}-deputy-{n}") for n in (1, 2)]
    leads = [
        plan.post(city.path, f"lead{n}", "leader_in_charge", "党组成员、副局长", deputy)
        for n, deputy in enumerate(deputies, start=1)
    ]
    for n, deputy in enumerate(deputies, start=1):  # the same people carry the leading group's duty
        plan.post(city.path, f"lg{n}", "leading_group_member", "意识形态工作领导小组成员", deputy)
    office = plan.post(city.path, "office", "group_office_member", "领导小组办公室主任（宣传教育处处长）")
    io = plan.post(city.path, "io", "information_officer", "宣传教育处信息宣传员")
    for n, section in enumerate(sections):
        plan.post(section.path, "head", "department_head", f"{section.name}处长")
        plan.post(section.path, "io", "information_officer", f"{section.name}信息宣传员")
        oversight = {"post_id": leads[min(n, 1)], "unit": city.path, "section": section.path}
        plan.add(
            2, "duty.assign_oversight", {**oversight, "effective_on": "2025-01-02"}, f"oversee-{section.path}"
        )
    plan.outlet(city.path, "website", "苏州市民政局门户网站", io, "https://mzj.suzhou.example")
    plan.outlet(city.path, "wechat_account", "苏州民政", io)
    plan.outlet(city.path, "video_account", "苏州民政视频号", io)
    plan.outlet(city.path, "internal_publication", "《苏州民政简报》", office)
    plan.outlet(city.path, "lecture_hall", "民政大讲堂", leads[0], "局机关多功能厅")
    plan.outlet(city.path, "reading_corner", "局机关红色书屋", office, "局机关二楼")


def _county(plan: DutyPlan, county: Unit) -> tuple[str, str]:
    plan.post(county.path, "sec", "first_responsible", "党组书记、局长")
    deputy = plan.person(f"{county.path}-deputy")
    plan.post(county.path, "lead", "leader_in_charge", "党组成员、副局长（分管宣传）", deputy)
    plan.post(county.path, "lg", "leading_group_member", "意识形态工作领导小组成员", deputy)
    office = plan.post(county.path, "office", "group_office_member", "办公室主任")
    io = plan.post(county.path, "io", "information_officer", "信息宣传员")
    plan.outlet(county.path, "website", f"{short(county.name)}民政局政务网站", io)
    plan.outlet(county.path, "wechat_account", f"{short(county.name)}民政", io)
    plan.outlet(county.path, "bulletin_board", "局机关宣传栏", office, "局机关一楼大厅")
    return io, office


def _township(plan: DutyPlan, township: Unit) -> None:
    plan.post(township.path, "sec", "first_responsible", "党（工）委书记")
    plan.post(township.path, "lead", "leader_in_charge", "党（工）委委员、宣传委员")
    io = plan.post(township.path, "io", "information_officer", "社会事务办信息宣传员")
    plan.outlet(township.path, "wechat_account", f"{township.name}社会事务", io)
    screen = "electronic_screen" if int(township.path[-3:]) % 2 else "bulletin_board"
    plan.outlet(township.path, screen, f"{township.name}便民服务中心宣传屏", io, "便民服务中心")


def _story(plan: DutyPlan, counties: dict[str, tuple[str, str]], units: list[Unit]) -> None:
    wuzhong, xiangcheng = "3205.320506", "3205.320507"
    io, office = counties[wuzhong]
    leave = {"post_id": io, "unit": wuzhong, "effective_on": "2025-07-01", "reason": "调任区委宣传部"}
    plan.add(3, "duty.vacate_post", leave, f"leave-{io}")
    hand_over = {
        "handover_id": "demo-handover-320506",
        "from_post_id": io,
        "unit": wuzhong,
        "to_post_id": office,
        "effective_on": "2025-07-01",
        "reason": "信息宣传员调离，阵地由办公室主任暂管",
    }
    plan.add(3, "duty.hand_over", hand_over, "handover-320506")
    staff_no, name = plan.person("320506-new-io")
    fill = {
        "post_id": io,
        "unit": wuzhong,
        "staff_no": staff_no,
        "person_name": name,
        "effective_on": "2025-08-01",
    }
    plan.add(3, "duty.fill_post", fill, f"refill-{io}")
    gone, _ = counties[xiangcheng]
    leave = {"post_id": gone, "unit": xiangcheng, "effective_on": "2025-11-03", "reason": "退休"}
    plan.add(3, "duty.vacate_post", leave, f"leave-{gone}")

    towns = [u.path for u in units if u.path.startswith(f"{wuzhong}.") and u.kind == "township_office"][-2:]
    findings = [
        {"finding_id": "f1", "outlet_id": f"o-{towns[0]}-wechat_account", "item": "stale_content",
         "description": "公众号近三个月未更新"},
        {"finding_id": "f2", "outlet_id": f"o-{towns[1]}-wechat_account", "item": "improper_wording",
         "description": "政策解读文章中提法不规范"},
    ]  # fmt: skip
    inspection = {
        "inspection_id": "demo-inspection-2025-10-320506",
        "unit": wuzhong,
        "inspected_on": "2025-10-20",
        "inspector": "市民政局宣传教育处",
        "outlets_checked": [f"o-{town}-wechat_account" for town in towns],
        "findings": findings,
        "summary": "吴中区乡镇（街道）政务新媒体专项检查",
    }
    plan.add(4, "duty.record_inspection", inspection, "inspection-2025-10-320506")
    for finding in findings:
        rectification_id = f"demo-rect-320506-{finding['finding_id']}"
        body = {
            "rectification_id": rectification_id,
            "inspection_id": inspection["inspection_id"],
            "finding_id": finding["finding_id"],
            "unit": wuzhong,
            "workdays": 5,
            "instructions": "按负面清单要求整改，并建立每周更新、三审三校机制",
        }
        plan.add(4, "duty.open_rectification", body, rectification_id)
    # The township has fixed it and sent evidence; the leader's sign-off (duty.close_rectification) is
    # left to whoever tries the demo with a leader's token.
    evidence = {
        "rectification_id": "demo-rect-320506-f2",
        "unit": wuzhong,
        "evidence": [{"description": "更正后的文章及三审三校记录", "reference": "吴民宣〔2025〕12号"}],
    }
    plan.add(4, "duty.add_rectification_evidence", evidence, "evidence-demo-rect-320506-f2")
    _year_of_outlets(plan, towns)


def _year_of_outlets(plan: DutyPlan, towns: list[str]) -> None:
    """The demo year's outlet work, for the work summary: a video account set up in April, a township's
    screen closed in September, and a June check of the townships' new media (no findings)."""
    video = f"o-{towns[0]}-video_account"
    setup = {
        "outlet_id": video,
        "unit": towns[0],
        "kind": "video_account",
        "name": "社会事务视频号",
        "owner_post_id": f"p-{towns[0]}-io",
        "effective_on": "2026-04-01",
    }
    plan.add(4, "duty.register_outlet", setup, video)
    screen = "electronic_screen" if int(towns[1][-3:]) % 2 else "bulletin_board"
    closed = {
        "outlet_id": f"o-{towns[1]}-{screen}",
        "unit": towns[1],
        "status": "closed",
        "reason": "便民服务中心搬迁，宣传屏拆除",
        "effective_on": "2026-09-30",
    }
    plan.add(4, "duty.change_outlet_status", closed, f"close-{towns[1]}-{screen}")
    check = {
        "inspection_id": "demo-inspection-2026-06-320506",
        "unit": towns[0].rpartition(".")[0],
        "inspected_on": "2026-06-18",
        "inspector": "区民政局办公室",
        "outlets_checked": [video, *(f"o-{town}-wechat_account" for town in towns)],
        "summary": "乡镇（街道）政务新媒体半年检查，未发现问题",
    }
    plan.add(4, "duty.record_inspection", check, "inspection-2026-06-320506")


def duty_plan(units: list[Unit]) -> DutyPlan:
    plan = DutyPlan()
    city = next(u for u in units if u.kind == "bureau")
    _bureau(plan, city, [u for u in units if u.kind == "department"])
    counties = {u.path: _county(plan, u) for u in units if u.kind == "county_office"}
    for township in (u for u in units if u.kind == "township_office"):
        _township(plan, township)
    _story(plan, counties, units)
    # Last, so that the staff numbers given before stay as they were in earlier demos.
    for township in (u for u in units if u.kind == "township_office"):
        holder = plan.person(f"{township.path}-window")
        plan.post(township.path, "window", "window_post", "便民服务中心意识形态岗", holder)
    return plan


async def seed_duty(seeder: Seeder, units: list[Unit], echo: Any) -> int:
    """Send the plan through the gateway, phase by phase (inside a phase the story keeps its order)."""
    plan = duty_plan(units)
    for number, phase in enumerate(plan.phases):
        if number >= 3:  # the story: one after the other
            for name, body, key in phase:
                await seeder.send(name, body, key)
        else:
            await asyncio.gather(*(seeder.send(name, body, key) for name, body, key in phase))
    total = sum(len(phase) for phase in plan.phases)
    echo(
        f"duty: {total} commands (posts, people, outlets, a hand-over, an inspection and its rectifications)"
    )
    return total

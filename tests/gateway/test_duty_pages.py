"""The duty page's forms against a real stack: each form sends its command on the page's unit as the
session's actor and leads back to the page showing the new state; refusals in Chinese next to the field;
forms only for the roles their commands allow; another county's unit is the 404 of a missing one; an
evidence file is checked by size and type before it is stored."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from contracts.envelope import utc_now
from services.eventkit.localtime import local_date
from services.gateway.app import GatewayRuntime
from tests.gateway.duty_support import (
    COUNTY,
    OTHER_COUNTY,
    PNG,
    TOWN,
    browser,
    field_error,
    option,
    section,
    send,
)
from tests.gateway.support import CITY_TOKEN, bearer, register_units
from tests.gateway.support import COUNTY_LEADER_TOKEN as COUNTY_LEADER
from tests.gateway.support import TOWN_TOKEN as TOWN_CLERK


@pytest.fixture(autouse=True)
def evidence_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Evidence files kept in the test's own folder (the township clerk and the county leader are among
    the shared test tokens)."""
    monkeypatch.setenv("SANJI_FILES_DIR", str(tmp_path / "files"))


@pytest.fixture
async def posts(http: httpx.AsyncClient) -> None:
    """The units, and posts at the county and the township (posts are created by the organization office
    through the API; the page fills and vacates them)."""
    await register_units(http)
    for post_id, unit, kind, title in (
        ("wz-sec", COUNTY, "first_responsible", "党组书记、局长"),
        ("wz-io", COUNTY, "information_officer", "信息宣传员"),
        ("cq-io", TOWN, "information_officer", "街道信息员"),
    ):
        body = {"post_id": post_id, "unit": unit, "kind": kind, "title": title}
        created = await http.post("/api/v1/commands/duty/create_post", json=body, headers=bearer(CITY_TOKEN))
        assert created.status_code == 200, created.text


async def test_each_form_sends_and_the_page_shows_the_new_state(gateway: GatewayRuntime, posts: None) -> None:
    async with browser(gateway, CITY_TOKEN) as city:
        page = (await city.get(f"/duty/units/{COUNTY}")).text
        for form in (
            "fill_post",
            "vacate_post",
            "register_outlet",
            "record_inspection",
            "open_rectification",
        ):
            assert f'id="form-{form}"' in page
        assert 'id="form-close_rectification"' not in page  # a clerk and admin, not a leader
        english = (await city.get(f"/duty/units/{COUNTY}?lang=en")).text
        assert not re.search(r"\bNone\b", english)  # nothing recorded yet: said without a Python word

        fill = {"post_id": option(page, "form-fill_post-post_id", "党组书记、局长")}
        page = await send(
            city,
            COUNTY,
            "fill_post",
            fill | {"person_name": "王芳", "staff_no": "W001", "effective_on": "2025-01-02"},
        )
        assert "王芳" in section(page, "四级责任清单")
        fill = {"post_id": option(page, "form-fill_post-post_id", "信息宣传员"), "person_name": "李明"}
        page = await send(
            city, COUNTY, "fill_post", fill | {"staff_no": "W002", "effective_on": "2025-01-02"}
        )
        assert "信息宣传员（李明）" in page  # the filled post is now offered by holder

        outlet = {"kind": "wechat_account", "name": "吴中民政", "effective_on": "2025-02-01"}
        outlet["owner_post_id"] = option(page, "form-register_outlet-owner_post_id", "信息宣传员（李明）")
        page = await send(city, COUNTY, "register_outlet", outlet)
        assert re.search(r"<td>吴中民政 .*?</td>\s*<td>微信公众号</td><td>信息宣传员</td><td>李明</td>", page)

        outlet_id = option(page, "form-change_outlet_owner-outlet_id", "吴中民政（微信公众号）")
        owner = {"outlet_id": outlet_id, "reason": "分工调整", "effective_on": "2025-03-01"}
        owner["to_post_id"] = option(page, "form-change_outlet_owner-to_post_id", "党组书记、局长（王芳）")
        page = await send(city, COUNTY, "change_outlet_owner", owner)
        assert re.search(r"<td>微信公众号</td><td>党组书记、局长</td><td>王芳</td>", page)

        handover = {"reason": "工作交接", "effective_on": "2025-04-01"}
        handover["from_post_id"] = option(page, "form-hand_over-from_post_id", "党组书记、局长")
        handover["to_post_id"] = option(page, "form-hand_over-to_post_id", "信息宣传员（李明）")
        page = await send(city, COUNTY, "hand_over", handover)
        assert re.search(r"<td>微信公众号</td><td>信息宣传员</td><td>李明</td>", page)

        vacate = {"post_id": option(page, "form-vacate_post-post_id", "信息宣传员（李明）"), "reason": "调任"}
        page = await send(city, COUNTY, "vacate_post", vacate | {"effective_on": "2025-05-01"})
        assert "吴中民政" in section(page, "无人负责的阵地")  # the outlet's post is vacant: a coverage gap
        assert "<td>2025年5月1日</td>" in section(page, "无人负责的阵地")  # since when, as pages say dates
        assert "信息宣传员（空缺）" in page

        checked = option(page, "form-record_inspection-outlets_checked", "吴中民政")
        inspection = {
            "inspected_on": "2025-06-03",
            "inspector": "张检查",
            "outlets_checked": [checked],
            "finding_outlet": checked,
            "finding_item": "stale_content",
            "finding_description": "公众号三个月未更新",
        }
        page = await send(city, COUNTY, "record_inspection", inspection)
        finding = option(page, "form-open_rectification-finding", "吴中民政（微信公众号） · 长期不更新")
        assert "2025年6月3日" in page  # the finding is offered with the day of its inspection

        opened = {"finding": finding, "workdays": "5", "instructions": "限期更新公众号内容"}
        page = await send(city, COUNTY, "open_rectification", opened)
        open_list = section(page, "整改（整改中）")
        assert "长期不更新" in open_list
        assert "吴中民政" in open_list
        assert 'id="form-open_rectification-finding"' in page
        assert finding not in page.split('id="form-open_rectification-finding"', 1)[1].split("</select>")[0]

        rectification = option(page, "form-add_rectification_evidence-rectification_id", "吴中民政")
        evidence = {"rectification_id": rectification, "description": "已更新三篇推文"}
        files = {"file": ("更新截图.png", PNG, "image/png")}
        page = await send(city, COUNTY, "add_rectification_evidence", evidence, files=files)
        listed = section(page, "整改（整改中）")
        assert "已更新三篇推文" in listed
        link = re.search(r'href="(/duty/evidence/[0-9a-f]{64})"', listed)
        assert link is not None
        download = await city.get(link[1])
        assert download.status_code == 200
        assert download.content == PNG
        assert download.headers["content-disposition"].startswith("attachment")

        # an old browser's GBK file name with a NUL and a bidi override: stored under a clean name, no 5xx
        body = (
            b'--XX\r\nContent-Disposition: form-data; name="rectification_id"\r\n\r\n'
            + rectification.encode()
            + b'\r\n--XX\r\nContent-Disposition: form-data; name="description"\r\n\r\n\xe6\x95\xb4\xe6\x94\xb9\xe5\x8d\x95'
            + b'\r\n--XX\r\nContent-Disposition: form-data; name="file"; filename="\xb8\xfc\x00\xe2\x80\xae.png"'
            + b"\r\nContent-Type: image/png\r\n\r\n"
            + PNG
            + b"\x01\r\n--XX--\r\n"
        )
        headers = {"content-type": "multipart/form-data; boundary=XX"}
        page = await send(city, COUNTY, "add_rectification_evidence", None, content=body, headers=headers)
        links = re.findall(r'href="(/duty/evidence/[0-9a-f]{64})"', section(page, "整改（整改中）"))
        assert len(links) == 2
        download = await city.get(links[1])
        assert download.status_code == 200
        assert download.content == PNG + b"\x01"

    async with browser(gateway, COUNTY_LEADER) as leader:
        page = (await leader.get(f"/duty/units/{COUNTY}")).text
        assert 'id="form-close_rectification"' in page
        assert 'id="form-register_outlet"' not in page  # a leader signs off, the clerks keep the records
        chosen = option(page, "form-close_rectification-rectification_id", "吴中民政")
        page = await send(
            leader, COUNTY, "close_rectification", {"rectification_id": chosen, "summary": "已整改到位"}
        )
        assert "吴中民政" not in section(page, "整改（整改中）")
        assert "已整改到位" not in page  # closed: off the list of open ones


async def test_a_bad_field_is_refused_next_to_it_and_changes_nothing(
    gateway: GatewayRuntime, posts: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    future = (local_date(utc_now()) + timedelta(days=10)).isoformat()
    async with browser(gateway, CITY_TOKEN) as city:
        page = (await city.get(f"/duty/units/{COUNTY}")).text
        post = option(page, "form-fill_post-post_id", "党组书记、局长")
        refused = await city.post(
            f"/duty/units/{COUNTY}/fill_post",
            data={"post_id": post, "person_name": "王芳", "staff_no": "W001", "effective_on": future},
        )
        assert refused.status_code == 422
        assert field_error(refused.text, "fill_post", "effective_on").startswith("不能晚于今天")
        assert 'value="王芳"' in refused.text  # what was typed stays
        refused = await city.post(
            f"/duty/units/{COUNTY}/fill_post",
            data={"post_id": post, "person_name": "", "staff_no": "W001", "effective_on": "2025-01-02"},
        )
        assert refused.status_code == 422
        assert field_error(refused.text, "fill_post", "person_name") == "不能为空"
        flood = "&".join(f"f{n}=x" for n in range(300))
        refused = await city.post(
            f"/duty/units/{COUNTY}/fill_post",
            content=flood,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert refused.status_code == 422  # more fields than any form: refused by name, never a 5xx
        page = (await city.get(f"/duty/units/{COUNTY}")).text
        assert "王芳" not in page
        assert "党组书记、局长（空缺）" in page  # nothing changed

        filled = {"post_id": post, "person_name": "王芳", "staff_no": "W001", "effective_on": "2025-01-02"}
        page = await send(city, COUNTY, "fill_post", filled)
        early = {"post_id": post, "reason": "调任", "effective_on": "2024-12-31"}
        refused = await city.post(f"/duty/units/{COUNTY}/vacate_post", data=early)
        assert refused.status_code == 422  # the duty service's rule, in the page's words
        assert (
            field_error(refused.text, "vacate_post", "effective_on")
            == "不能早于该记录上次变更的日期（2025-01-02）"
        )
        again = await city.post(f"/duty/units/{COUNTY}/fill_post", data=filled | {"person_name": "赵六"})
        assert field_error(again.text, "fill_post", "post_id") == "该岗位已有人在岗（王芳），请先办理离任"
        owner = option(page, "form-register_outlet-owner_post_id", "党组书记、局长（王芳）")
        outlet = {"kind": "website", "name": "", "owner_post_id": owner, "effective_on": "2025-02-01"}
        refused = await city.post(f"/duty/units/{COUNTY}/register_outlet", data=outlet)
        assert refused.status_code == 422
        assert field_error(refused.text, "register_outlet", "name") == "不能为空"
        assert '<option value="website" selected>门户网站</option>' in refused.text  # a label, never a code
        page = await send(city, COUNTY, "register_outlet", outlet | {"name": "吴中民政网"})

        checked = option(page, "form-record_inspection-outlets_checked", "吴中民政网")
        half = {"inspected_on": "2025-06-03", "inspector": "张检查", "outlets_checked": checked}
        refused = await city.post(
            f"/duty/units/{COUNTY}/record_inspection", data=half | {"finding_item": "personal_data"}
        )
        assert refused.status_code == 422
        assert (
            field_error(refused.text, "record_inspection", "finding_description")
            == "记录问题时，阵地、事项和描述都须填写"
        )
        future_check = half | {"inspected_on": future}
        refused = await city.post(f"/duty/units/{COUNTY}/record_inspection", data=future_check)
        assert field_error(refused.text, "record_inspection", "inspected_on").startswith("不能晚于今天")
        finding = half | {
            "finding_outlet": checked,
            "finding_item": "personal_data",
            "finding_description": "公开了身份证号",
        }
        page = await send(city, COUNTY, "record_inspection", finding)
        chosen = option(page, "form-open_rectification-finding", "吴中民政网")
        page = await send(
            city, COUNTY, "open_rectification", {"finding": chosen, "workdays": "3", "instructions": "删除"}
        )
        rectification = option(page, "form-add_rectification_evidence-rectification_id", "吴中民政网")

        evidence = {"rectification_id": rectification, "description": "已删除"}
        wrong = {"file": ("清单.png", b"MZ\x90\x00 not a picture", "image/png")}
        refused = await city.post(
            f"/duty/units/{COUNTY}/add_rectification_evidence", data=evidence, files=wrong
        )
        assert refused.status_code == 422
        assert (
            field_error(refused.text, "add_rectification_evidence", "file")
            == "只能上传JPG、PNG图片或PDF、DOCX、XLSX文件"
        )
        script = {"file": ("x.html", b"<script>alert(1)</script>", "text/html")}
        refused = await city.post(
            f"/duty/units/{COUNTY}/add_rectification_evidence", data=evidence, files=script
        )
        assert refused.status_code == 422

        fine = {"file": ("照片.png", PNG, "image/png")}
        undescribed = evidence | {"description": ""}
        refused = await city.post(
            f"/duty/units/{COUNTY}/add_rectification_evidence", data=undescribed, files=fine
        )
        assert refused.status_code == 422  # the file is kept only once the rest of the form holds
        assert field_error(refused.text, "add_rectification_evidence", "description") == "不能为空"

        monkeypatch.setenv("SANJI_EVIDENCE_MAX_BYTES", str(1024 * 1024))
        big = {"file": ("大图.png", PNG + b"\0" * (1024 * 1024), "image/png")}
        refused = await city.post(
            f"/duty/units/{COUNTY}/add_rectification_evidence", data=evidence, files=big
        )
        assert refused.status_code == 422
        assert field_error(refused.text, "add_rectification_evidence", "file") == "文件过大，不能超过1 MB"
        huge = {"file": ("大图.png", PNG + b"\0" * (2 * 1024 * 1024), "image/png")}
        refused = await city.post(
            f"/duty/units/{COUNTY}/add_rectification_evidence", data=evidence, files=huge
        )
        assert refused.status_code == 413  # past the bound the body is not even read
        assert field_error(refused.text, "add_rectification_evidence", "file") == "文件过大，不能超过1 MB"
        page = (await city.get(f"/duty/units/{COUNTY}")).text
        assert "已删除" not in page  # none of the refused evidence was added
        assert not list((tmp_path / "files").rglob("*.bin"))  # no refused file was kept


async def test_scope_roles_and_forged_fields(
    gateway: GatewayRuntime, http: httpx.AsyncClient, posts: None, tmp_path: Path
) -> None:
    fill = {
        "post_id": "cq-io",
        "unit": TOWN,
        "staff_no": "C001",
        "person_name": "陈晨",
        "effective_on": "2025-01-02",
    }
    filled = await http.post("/api/v1/commands/duty/fill_post", json=fill, headers=bearer(CITY_TOKEN))
    assert filled.status_code == 200, filled.text
    outlet = {
        "kind": "bulletin_board",
        "name": "长桥宣传栏",
        "owner_post_id": "cq-io",
        "effective_on": "2025-02-01",
    }
    async with browser(gateway, TOWN_CLERK) as clerk:
        elsewhere = await clerk.post(f"/duty/units/{OTHER_COUNTY}/register_outlet", data=outlet)
        missing = await clerk.post("/duty/units/3205.320599/register_outlet", data=outlet)
        assert elsewhere.status_code == missing.status_code == 404
        assert elsewhere.text.replace(OTHER_COUNTY, "X") == missing.text.replace("3205.320599", "X")
        assert (await clerk.get(f"/duty/units/{OTHER_COUNTY}")).status_code == 404
        upload = {"file": ("photo.png", PNG, "image/png")}
        smuggled = await clerk.post(
            f"/duty/units/{OTHER_COUNTY}/add_rectification_evidence",
            data={"rectification_id": "r-elsewhere", "description": "照片"},
            files=upload,
        )
        assert smuggled.status_code == 404
        assert not list((tmp_path / "files").rglob("*.bin"))  # refused before the file was kept or granted

        # a forged unit and actor in the form: the outlet is the page's unit's, sent as the session's clerk
        forged = outlet | {"unit": OTHER_COUNTY, "actor": "admin@3205", "outlet_id": "forged-id"}
        page = await send(clerk, TOWN, "register_outlet", forged)
        assert "长桥宣传栏" in page
        assert 'id="form-close_rectification"' not in page
    async with browser(gateway, CITY_TOKEN) as city:
        other = (await city.get(f"/duty/units/{OTHER_COUNTY}")).text
        assert "长桥宣传栏" not in other
        outlets = await http.get(f"/api/v1/duty/units/{TOWN}/outlets", headers=bearer(CITY_TOKEN))
        (registered,) = outlets.json()["outlets"]
        assert registered["unit"] == TOWN
        assert registered["outlet_id"] != "forged-id"

        page = (await city.get(f"/duty/units/{TOWN}")).text
        checked = option(page, "form-record_inspection-outlets_checked", "长桥宣传栏")
        inspection = {
            "inspected_on": "2025-06-03",
            "inspector": "张检查",
            "outlets_checked": checked,
            "finding_outlet": checked,
            "finding_item": "stale_content",
            "finding_description": "过期通知",
        }
        page = await send(city, TOWN, "record_inspection", inspection)
        chosen = option(page, "form-open_rectification-finding", "长桥宣传栏")
        page = await send(
            city, TOWN, "open_rectification", {"finding": chosen, "workdays": "5", "instructions": "更换"}
        )
        assert 'id="form-close_rectification"' not in page  # admin and clerk: no sign-off
        rectification = option(page, "form-add_rectification_evidence-rectification_id", "长桥宣传栏")
        refused = await city.post(
            f"/duty/units/{TOWN}/close_rectification",
            data={"rectification_id": rectification, "summary": "自己销号"},
        )
        assert refused.status_code == 403
        assert "长桥宣传栏" in section((await city.get(f"/duty/units/{TOWN}")).text, "整改（整改中）")
    async with browser(gateway, COUNTY_LEADER) as leader:
        # evidence is the clerks' to add: a leader's forged upload is refused before its file is kept
        evidence = {"rectification_id": rectification, "description": "领导上传"}
        files = {"file": ("photo.png", PNG, "image/png")}
        refused = await leader.post(
            f"/duty/units/{TOWN}/add_rectification_evidence", data=evidence, files=files
        )
        assert refused.status_code == 403
        assert not list((tmp_path / "files").rglob("*.bin"))

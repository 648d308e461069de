"""The message catalogs: both languages hold every key, every key a template names exists, the numbers
have separators, and /static/ serves the page assets (ECharts included) and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from services.gateway.app import build_app
from services.gateway.catalog import LOCALES, Messages, messages
from services.gateway.views import HERE, number

TEMPLATES = HERE / "templates"
# A template's word objects and the catalog prefix each reads (``o`` is opinion's or outreach's by page).
CALLS = re.compile(
    r"""\b(t|a|o|d)(?:\.(name|kind|level|field|activity_kind|unit_kind))?\(\s*'([a-z0-9_]+)'\s*[,)]"""
)
METHOD_GROUPS = {"field": "field.", "activity_kind": "activity_kind.", "unit_kind": "unit_kind."}


async def always_ready() -> dict[str, bool]:
    return {}


def prefix_of(template: Path, word: str) -> str:
    if word == "t":
        return "text."
    if word == "a":
        return "assessment."
    if word == "d":
        return "duty."
    return "outreach." if template.name.startswith("outreach") else "opinion."


def test_both_catalogs_hold_the_same_keys_and_no_empty_text() -> None:
    zh, en = messages("zh"), messages("en")
    assert set(zh) == set(en), {"only_zh": set(zh) - set(en), "only_en": set(en) - set(zh)}
    assert len(zh) > 300
    assert all(text.strip() for text in [*zh.values(), *en.values()])
    chinese = [key for key, text in en.items() if re.search(r"[\u3400-\u9fff]", text)]
    assert chinese == ["text.other_lang"]  # the switch back to Chinese says 中文


def test_every_key_a_template_names_is_in_the_catalog() -> None:
    missing = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for word, method, key in CALLS.findall(template.read_text(encoding="utf-8")):
            if method in ("name", "kind", "level"):
                continue  # a coded value's label (state, kind…): a key per value, not named here
            full = METHOD_GROUPS.get(method, prefix_of(template, word)) + key
            if full not in messages("zh"):
                missing.append(f"{template.name}: {full}")
    assert not missing, missing


def test_a_missing_key_shows_as_itself_so_the_page_tests_find_it() -> None:
    assert Messages("zh", "text.")("no_such_key") == "no_such_key"
    assert Messages("en", "opinion.").name("state", "closed") == "Closed"
    assert Messages("zh", "opinion.").name("state", None) == "—"


def test_the_product_has_one_name() -> None:
    assert "意识形态工作责任制" in messages("zh")["text.app"]
    assert not [key for key, text in messages("zh").items() if "民政工作责任制" in text]


def test_numbers_have_separators_in_both_languages() -> None:
    assert [number(12000, lang) for lang in LOCALES] == ["12,000", "12,000"]
    assert number(None, "zh") == "—"


async def test_static_serves_the_page_assets_and_nothing_else() -> None:
    transport = httpx.ASGITransport(app=build_app(always_ready))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        echarts = await http.get("/static/echarts.min.js")
        assert echarts.status_code == 200
        assert echarts.headers["content-type"].startswith("text/javascript")
        assert b"Apache" in echarts.content[:400]
        assert (await http.get("/static/LICENSE-echarts.txt")).status_code == 200
        assert (await http.get("/static/charts.js")).status_code == 200
        for name in ("app.py", "sanji.po", "NOTICE"):
            refused = await http.get(f"/static/{name}")
            assert refused.status_code == 404, name
            assert "找不到" in refused.text  # the error page, in the default language
        assert (await http.get("/static/..%2Fviews.py")).status_code == 404

"""Every page a user works on, looked at in both languages: no Python value or catalog key shows, no English
phrase on a Chinese page, no Chinese-only label on an English one; screenshots of each at laptop and phone
widths, and the few kept for the README (viewport height, laptop width)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page

from tests.browser.chromium import CJK, ENGLISH_PHRASE, LAPTOP, LEAKS, PHONE, label_texts, shoot

CITY = "3205"
# A date or period as the API writes it (2025-11-03, 2026-03, 2026-Q1): pages say 2025年11月3日, 2026年第一季度.
ISO_DAY_OR_PERIOD = re.compile(r"\b\d{4}-(?:\d{2}-\d{2}|\d{2}|Q[1-4]|H[12])\b")
# The pages people work on (the case and the publication are added once a form has made them).
WORKED_ON = (
    f"/units/{CITY}",
    f"/duty/units/{CITY}",
    f"/outreach/units/{CITY}",
    f"/outreach/units/{CITY}/publications",
    f"/opinion/units/{CITY}?period=2026",
    f"/assessment/units/{CITY}",
    f"/summaries/{CITY}?period=2026",
)
# The pages the README shows (artifacts/browser/readme-<name>.png, copied by hand to docs/img/ when the pages
# change), each with the folded form to open and show (the duty page's forms sit folded at its foot), if any.
README_SHOTS = {
    "workbench": (f"/units/{CITY}", None),
    "duty": (f"/duty/units/{CITY}", "form-register_outlet"),
    "summary": (f"/summaries/{CITY}?period=2026", None),
}
SHOW_FORM = "el => { el.open = true; document.getElementById('work').scrollIntoView(); }"


def in_language(base: str, path: str, lang: str) -> str:
    return base + path + ((("&" if "?" in path else "?") + "lang=en") if lang == "en" else "")


def shot_name(path: str) -> str:
    return path.strip("/").split("?")[0].replace("/", "_")


async def publication_by_form(page: Page, base: str) -> str:
    """The signed-in clerk submits a piece for 三审 by the list's form; answers the publication's path."""
    await page.goto(f"{base}/outreach/units/{CITY}/publications")
    await page.select_option("#submit-kind", "article")
    await page.fill("#submit-title", "浏览器测试：冬季救助政策解读")
    await page.select_option("#submit-outlet_id", index=1)
    async with page.expect_navigation():
        await page.click("#submit button[type=submit]")
    assert "/outreach/publications/" in page.url, page.url
    assert "冬季救助政策解读" in await page.inner_text("h1")
    return page.url.removeprefix(base).split("?")[0]


async def no_language_gaps(page: Page, base: str, paths: list[str]) -> None:
    """In English no label is Chinese; in either language no Python value or catalog key shows (every
    page looked at before failing, so that one run names every gap)."""
    gaps = []
    for path in paths:
        for lang in ("zh", "en"):
            url = in_language(base, path, lang)
            await page.goto(url)
            body = await page.inner_text("body")
            if "/login" in page.url:
                gaps.append(f"{url}: sent to the login page")
            if leak := LEAKS.search(body):
                gaps.append(f"{url}: leaks {leak[0]!r}")
            if lang == "zh" and (phrase := ENGLISH_PHRASE.search(body)):
                gaps.append(f"{url}: English {phrase[0]!r}")
            if lang == "zh" and (iso := ISO_DAY_OR_PERIOD.search(body)):
                gaps.append(f"{url}: a date as the API writes it {iso[0]!r}")
            chinese = [text for text in await label_texts(page) if CJK.search(text)] if lang == "en" else []
            if chinese:
                gaps.append(f"{url}: Chinese-only labels {chinese[:8]}")
    assert not gaps, "\n".join(gaps)


async def screenshots(page: Page, base: str, paths: list[str]) -> list[Path]:
    """Each page in both languages at both widths (full page), then the README's (viewport height)."""
    taken = []
    for width_name, size in (("laptop", LAPTOP), ("phone", PHONE)):
        await page.set_viewport_size(size)
        for path in paths:
            for lang in ("zh", "en"):
                await page.goto(in_language(base, path, lang))
                taken.append(await shoot(page, f"{shot_name(path)}-{lang}-{width_name}"))
    await page.set_viewport_size(LAPTOP)
    for name, (path, form) in README_SHOTS.items():
        await page.goto(base + path)
        if form:
            await page.eval_on_selector(f"#{form}", SHOW_FORM)
        taken.append(await shoot(page, f"readme-{name}", full_page=False))
    return taken

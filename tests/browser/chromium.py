"""Debian's Chromium under Playwright (launched by path: Playwright's own browser download is not reachable)
and what the workbench tests read from a page."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"  # ignored by git; kept after the run, unlike pytest's tmp folders
LAPTOP = ViewportSize(width=1366, height=900)
PHONE = ViewportSize(width=390, height=844)
CJK = re.compile(r"[\u3400-\u9fff]")
# A Python value leaking into a page, or a catalog key shown as itself.
LEAKS = re.compile(
    r"\{'|\[\{|\bNone\b|\bTrue\b|\bFalse\b"
    r"|\b(?:text|assessment|opinion|outreach|duty|reason|field|level|unit_kind|activity_kind|explain)\.[a-z_]+\b"
)
ENGLISH_PHRASE = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,}){1,}\b")  # "not scored yet" on a Chinese page
# The page's own words (headings, labels, captions, buttons, navigation): never data such as names.
# A select marked data-names, an option marked data-name, or a row of checkboxes, offers names (units,
# outlets, posts): data, shown as recorded in either language.
LABELS = (
    ".brand, h2, th, label:not(.check), figcaption, button, select:not([data-names]) option:not([data-name]),"
    " .contexts a, .fresh, .no-data, .total h2"
)
CHARTS_JS = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
  const chart = window.echarts && echarts.getInstanceByDom(el);
  const series = chart ? chart.getOption().series : [];
  const drawn = series.reduce((n, s) => n + (s.data || []).filter(v =>
      v !== null && v !== undefined && !(typeof v === 'object' && (v.value === null || v.value === undefined))
  ).length, 0);
  return {id: el.closest('figure').id, canvas: !!el.querySelector('canvas'), points: drawn};
})"""


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Debian's chromium is not installed: run `make test-tools`")
    return found


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


async def label_texts(page: Page) -> list[str]:
    texts: list[str] = await page.eval_on_selector_all(LABELS, "els => els.map(e => e.innerText)")
    return [text for text in texts if text.strip()]


async def charts_drawn(page: Page) -> dict[str, int]:
    """Figure id → number of data points the chart instance holds (only charts drawn on a canvas)."""
    found: list[dict[str, object]] = await page.evaluate(CHARTS_JS)
    return {str(item["id"]): int(str(item["points"])) for item in found if item["canvas"]}


async def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """The page as a PNG in artifacts/browser/ (``full_page=False``: one viewport high, small enough for docs)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(target), full_page=full_page)
    return target


def count(text: str) -> int:
    """A figure as the page shows it (12,000) as a number."""
    return int(text.replace(",", "").strip())

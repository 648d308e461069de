"""Rendering pages: one Jinja2 environment per app, the language from ``?lang=en``, times in local time."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from contracts.commands import not_known
from contracts.envelope import utc_now
from services.eventkit.localtime import local_date
from services.gateway import page_charts
from services.gateway.catalog import LOCALES
from services.gateway.errors import GatewayError
from services.gateway.labels import Words, local_day, local_time
from services.gateway.period_words import period_options, period_text

HERE = Path(__file__).parent
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",  # the activity form must not be framed by another site
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def lang_of(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def link(path: str, lang: str, **params: str) -> str:
    """A page URL keeping the language: ``/units/3205`` or ``/units/3205?lang=en``."""
    if lang == "en":
        params = {**params, "lang": "en"}
    return quote(path, safe="/.") + (f"?{urlencode(params)}" if params else "")


def freshness_line(freshness: dict[str, Any] | None, words: Words) -> str:
    """ "数据截至 2026-03-02 10:15:03 · 事件序号 12" — the projection's checkpoint, in Shanghai time."""
    freshness = freshness or {}
    updated = freshness.get("updated_at")
    when = words("no_data")
    if updated:
        when = local_time(updated, words.lang)
    return words("freshness").format(time=when, seq=freshness.get("checkpoint", 0))


def number(value: float | None, lang: str) -> str:
    """A count or figure with the locale's separators (12,000; 1,234.5); a dash where there is none."""
    if value is None:
        return "—"
    return format_decimal(value, locale=LOCALES[lang])


class Views:
    def __init__(self, templates: Path = HERE / "templates") -> None:
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = lang_of(request)
        words = Words(lang)
        other = "zh" if lang == "en" else "en"
        switch = {k: v for k, v in request.query_params.items() if k != "lang"}
        page_path = context.pop("page_path", request.url.path)  # after a form POST: the page it came from
        page = self.env.get_template(name).render(
            t=words,
            lang=lang,
            link=lambda path, **params: link(path, lang, **params),
            switch_url=link(page_path, other, **switch),
            freshness_line=lambda freshness: freshness_line(freshness, words),
            num=lambda value: number(value, lang),
            when=lambda value: local_time(value, lang),
            day=lambda value: local_day(value, lang),
            period_name=lambda label: period_text(label, lang),
            period_options=lambda current: period_options(current, local_date(utc_now()), lang),
            colon="：" if lang == "zh" else ": ",  # a label's colon: full-width in Chinese only
            charts=page_charts,
            actor=context.pop("actor", None),
            **context,
        )
        return HTMLResponse(page, status_code=status, headers=PAGE_HEADERS)


# What /static/ serves: the stylesheet, the page scripts and ECharts 5.6.0 (dist/echarts.min.js of the npm
# package, Apache-2.0, its LICENSE and NOTICE beside it), so no page loads anything from another site.
STATIC_FILES = {
    "sanji.css": "text/css; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "echarts.min.js": "text/javascript; charset=utf-8",
    "LICENSE-echarts.txt": "text/plain; charset=utf-8",
    "NOTICE-echarts.txt": "text/plain; charset=utf-8",
}


@cache
def _static(name: str) -> bytes:
    return (HERE / "static" / name).read_bytes()


async def static_file(name: str) -> Response:
    """One of STATIC_FILES (nothing else under the folder is reachable), cached by the browser for an hour."""
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise GatewayError("not_found", not_known("file", name))
    return Response(
        _static(name),
        media_type=media_type,
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )

"""The log-activity form on a unit page: read it, check it against the contract, say what is wrong
in the page's language, next to the field."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError

from contracts.envelope import utc_now
from contracts.inputs import validate_input
from contracts.outreach import LogActivity
from services.gateway.labels import Words

MAX_FORM_BYTES = 16 * 1024
FORM_FIELDS = ("kind", "topic", "held_on", "starts_at", "audience")

REASONS: dict[str, tuple[str, str]] = {
    "missing": ("必填", "required"),
    "string_too_short": ("不能为空", "must not be empty"),
    "string_too_long": ("不能超过 {max_length} 个字", "at most {max_length} characters"),
    "int_parsing": ("请填写整数", "enter a whole number"),
    "int_type": ("请填写整数", "enter a whole number"),
    "int_from_float": ("请填写整数", "enter a whole number"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "date_parsing": ("请填写日期，如 2026-03-02", "enter a date like 2026-03-02"),
    "date_from_datetime_parsing": ("请填写日期，如 2026-03-02", "enter a date like 2026-03-02"),
    "date_type": ("请填写日期，如 2026-03-02", "enter a date like 2026-03-02"),
    "time_parsing": ("请填写时间，如 09:30", "enter a time like 09:30"),
    "time_type": ("请填写时间，如 09:30", "enter a time like 09:30"),
    "enum": ("请从列表中选择", "choose one from the list"),
    # the door's own refusals (contracts/inputs.py Problem codes)
    "text_nul": ("含有不可见的空字符，请删除后重填", "contains a NUL character; remove it"),
    "text_surrogate": (
        "含有无法识别的字符，请删除后重填",
        "contains a character that is not valid; remove it",
    ),
    "text_bidi": ("含有文字方向控制符，请删除后重填", "contains a text-direction control; remove it"),
    "text_line_break": ("只能填一行，不能换行", "one line only, no line breaks"),
    "text_control": ("含有控制字符 {char}，请删除后重填", "contains the control character {char}; remove it"),
    "date_too_early": ("不能早于 {earliest}", "must not be before {earliest}"),
    "date_in_future": ("不能晚于今天（{today}）", "must not be after today ({today})"),
    "date_too_far_ahead": ("不能晚于 {latest}", "must not be after {latest}"),
    "year_out_of_range": (
        "年份须在 {earliest}–{latest} 之间",
        "the year must lie within {earliest}–{latest}",
    ),
}


def parse_form(raw: bytes) -> dict[str, str]:
    """An urlencoded form body as one value per name (the first, stripped)."""
    values = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=50)
    return {name: found[0].strip() for name, found in values.items() if found}


def activity_body(form: dict[str, str], unit: str, activity_id: str) -> dict[str, Any]:
    """The outreach.log_activity body the form describes (empty optional fields left out)."""
    body: dict[str, Any] = {"activity_id": activity_id, "unit": unit}
    for name in FORM_FIELDS:
        value = form.get(name, "")
        if name == "starts_at" and not value:
            continue
        body[name] = whole_number(value) if name == "audience" else value
    return body


def whole_number(value: str) -> int | str:
    """A form's number as an int; anything else as typed, for the contract to refuse by name."""
    try:
        return int(value)
    except ValueError:
        return value


def reason(item: dict[str, Any], words: Words) -> str:
    pair = REASONS.get(str(item["type"]))
    if pair is None:  # a rule with no words of its own yet: never an English sentence on a Chinese page
        return str(item["msg"]) if words.lang == "en" else "填写有误，请检查"
    text = pair[1] if words.lang == "en" else pair[0]
    return text.format(**(item.get("ctx") or {}))


def check_activity(body: dict[str, Any], words: Words) -> dict[str, str]:
    """Field → reason for everything the contract would refuse (empty when the form is fine)."""
    try:
        validate_input(LogActivity, body, utc_now())
    except ValidationError as error:
        found: dict[str, str] = {}
        for item in error.errors(include_url=False):
            field = str(item["loc"][0]) if item["loc"] else "form"
            found.setdefault(field, reason(dict(item), words))
        return found
    return {}

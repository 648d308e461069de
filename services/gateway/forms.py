"""The log-activity form on a unit page: read it, check it against the contract, say what is wrong
in the page's language, next to the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError

from contracts.commands import FieldError
from contracts.envelope import utc_now
from contracts.inputs import validate_input
from contracts.outreach import LogActivity
from services.gateway.catalog import Messages
from services.gateway.labels import Words

MAX_FORM_BYTES = 16 * 1024
FORM_FIELDS = ("kind", "topic", "held_on", "starts_at", "audience")


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


def refusal(code: str | None, params: Mapping[str, Any], english: str, lang: str) -> str:
    """Why a field was refused, in ``lang``: the catalog's ``reason.<code>`` with the rule's values; where
    the catalog has no words for the rule, the English sentence in English and a plain request in Chinese."""
    found = Messages(lang, "reason.").text(code or "")
    if found is None:  # never an English sentence on a Chinese page
        return english if lang == "en" else Messages(lang)("reason.unknown")
    try:
        return found.format(**params)
    except (KeyError, IndexError):
        return Messages(lang)("reason.unknown") if lang != "en" else english


def reason(item: dict[str, Any], words: Words) -> str:
    """A pydantic error item (the contract's or the door's rule) in the page's language."""
    return refusal(str(item["type"]), item.get("ctx") or {}, str(item["msg"]), words.lang)


def field_reasons(fields: list[FieldError], words: Words) -> dict[str, str]:
    """A service's refusal, field by field, in the page's language: the contract names a field of the
    request's body (``body.held_on``), a domain rule the command's own field (``held_on``)."""
    return {
        found.field.removeprefix("body."): refusal(found.code, found.params, found.reason, words.lang)
        for found in fields
        if found.field.startswith("body.") or "." not in found.field
    }


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

"""The pages' forms: read one, check it against its command's contract, send it, and say what is wrong
in the page's language, next to the field (the log-activity form here; the opinion forms build on it)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError

from contracts.commands import Actor, Command, CommandReply, FieldError
from contracts.envelope import utc_now
from contracts.inputs import validate_input
from services.eventkit.client import SanjiClient
from services.gateway.catalog import Messages
from services.gateway.commands import forward
from services.gateway.errors import GatewayError, field_error
from services.gateway.labels import Words

MAX_FORM_BYTES = 16 * 1024
MAX_FORM_FIELDS = 250  # the largest form: an inspection's checkboxes, one per outlet checked (at most 200)
FORM_FIELDS = ("kind", "topic", "held_on", "starts_at", "audience")


def parse_lists(raw: bytes) -> dict[str, list[str]]:
    """An urlencoded form body as every value sent under each name (stripped), for checkbox groups."""
    try:
        values = parse_qs(
            raw.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:  # more fields than any form draws
        raise field_error("body", f"more than {MAX_FORM_FIELDS} fields") from None
    return {name: [value.strip() for value in found] for name, found in values.items() if found}


def parse_form(raw: bytes) -> dict[str, str]:
    """An urlencoded form body as one value per name (the first, stripped)."""
    return {name: found[0] for name, found in parse_lists(raw).items()}


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


def check_command(model: type[Command], body: dict[str, Any], words: Words) -> dict[str, str]:
    """Field → reason for everything ``model``'s contract would refuse in ``body`` (empty when fine)."""
    try:
        validate_input(model, body, utc_now())
    except ValidationError as error:
        found: dict[str, str] = {}
        for item in error.errors(include_url=False):
            field = str(item["loc"][0]) if item["loc"] else "form"
            found.setdefault(field, reason(dict(item), words))
        return found
    return {}


def new_form(form_id: str, values: dict[str, str] | None = None) -> dict[str, Any]:
    """A form as the templates read it: its id (the command id), the values typed, errors and message."""
    return {"id": form_id, "values": values or {}, "errors": {}, "message": None}


async def send_form(
    sanji: SanjiClient,
    actor: Actor,
    model: type[Command],
    body: dict[str, Any],
    *,
    form: dict[str, Any],
    shown: Collection[str],
    words: Words,
    drawn_as: Mapping[str, str] | None = None,
) -> CommandReply | None:
    """Check ``body`` against ``model`` and send it as the form's command; on a refusal fill the form's
    errors (next to the ``shown`` fields; ``drawn_as`` maps a command field to the input that fills it
    under another name) and message (for the rest) in the page's language, answer None and leave the
    refusal's status in ``form['status']``."""
    errors = check_command(model, body, words)
    if not errors:
        try:
            return await forward(sanji, model.command_name, body, actor, command_id=form["id"])
        except GatewayError as error:
            errors = field_reasons(error.fields, words)
            form["status"] = error.status
            form["message"] = words("not_saved") + words.explain(error.code, error.message)
    form.setdefault("status", 422)
    errors = {(drawn_as or {}).get(name, name): why for name, why in reversed(errors.items())}
    form["errors"] = {name: why for name, why in errors.items() if name in shown}
    elsewhere = [why for name, why in errors.items() if name not in shown]
    if elsewhere:
        form["message"] = "；".join(elsewhere) if words.lang == "zh" else "; ".join(elsewhere)
    return None

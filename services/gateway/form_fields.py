"""The pages' form fields, shared by every form (opinion, duty): which command field an input fills, how it
is typed, and the command body a filled form gives. The templates draw them with ``_fields_form.html``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from services.eventkit.localtime import SHANGHAI

# text/textarea: typed; select: a coded value labelled from the catalog; unit: a unit by name; pick: one
# record the page knows (a post, an outlet…) by name; many: several such records; date/datetime: a local
# day or moment; yesno: a boolean; number: whole or decimal; period: a period picked from ``choices``;
# file: an upload (read apart from the urlencoded values).
FieldKind = Literal[
    "text",
    "textarea",
    "select",
    "unit",
    "pick",
    "many",
    "date",
    "datetime",
    "yesno",
    "number",
    "period",
    "file",
]


@dataclass(frozen=True)
class FormField:
    """One input: its command field, how it is typed, (for a select) the coded values and their catalog
    group (``<prefix>.<group>.<value>``), and its label's key where the field's own does not fit the form
    (a return's ``reason`` is not a supervision's)."""

    name: str
    kind: FieldKind = "text"
    choices: tuple[str, ...] = ()
    group: str = ""
    optional: bool = False
    label: str = ""


def choice(name: str, values: type[Any], group: str, *, optional: bool = False) -> FormField:
    """A select of an enum's values, labelled from the catalog group ``group``."""
    return FormField(name, "select", tuple(v.value for v in values), group, optional)


def local_moment(value: str) -> str:
    """A ``datetime-local`` input (Shanghai time) as an ISO timestamp; anything else as typed, for the
    contract to refuse by name."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).isoformat()


def number(value: str) -> int | float | str:
    """A form's number: whole (working days) or decimal (points: ``-1.5``); anything else, ``nan`` and
    ``inf`` included, as typed, for the contract to refuse by name."""
    try:
        return int(value)
    except ValueError:
        pass
    try:
        found = float(value)
    except ValueError:
        return value
    return found if math.isfinite(found) else value


def form_body(
    fields: tuple[FormField, ...], values: dict[str, str], lists: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """The command fields a filled form gives (empty optional ones left out; a ``many`` field from
    ``lists``, every value its checkboxes sent; a ``file`` field is the page's to fill)."""
    body: dict[str, Any] = {}
    for field in fields:
        if field.kind == "file":
            continue
        if field.kind == "many":
            body[field.name] = [value for value in (lists or {}).get(field.name, []) if value]
            continue
        value = values.get(field.name, "")
        if not value and field.optional:
            continue
        if field.kind == "datetime":
            body[field.name] = local_moment(value)
        elif field.kind == "number":
            body[field.name] = number(value)
        elif field.kind == "yesno":
            body[field.name] = {"yes": True, "no": False}.get(value, value)
        else:
            body[field.name] = value
    return body

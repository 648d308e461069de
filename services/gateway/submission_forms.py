"""信息报送 forms on a unit's submissions page: record an item sent upward (outreach.record_submission) at
the page's unit, record its adoption (outreach.record_adoption) for an item the page lists, and set a
quota (outreach.set_quota, a target form: year and cadence picked from lists). Who acts is the session's
actor; the unit is the page's (an item's own unit for its adoption), never a field of the form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.commands import COMMANDS, Actor, Command
from contracts.outreach_submissions import QuotaMeasure, SubmissionLevel
from services.gateway.form_fields import FormField, choice, form_body
from services.gateway.target_forms import CADENCE, REASON, TargetForm

LEVEL = choice("level", SubmissionLevel, "summary.submission_level")
BACKDATE = FormField("backdate_reason", "textarea", optional=True)


@dataclass(frozen=True)
class SubmissionForm:
    """An item's form: its command and fields; ``new_id`` names the id field the form's id fills."""

    name: str
    command: str
    fields: tuple[FormField, ...]
    new_id: str = ""

    @property
    def model(self) -> type[Command]:
        return COMMANDS[self.command]

    def offered_to(self, actor: Actor) -> bool:
        return bool(actor.roles & self.model.allowed_roles)

    @property
    def shown(self) -> list[str]:
        return [field.name for field in self.fields]


ITEM_FORMS = {
    form.name: form
    for form in (
        SubmissionForm(
            "record_submission",
            "outreach.record_submission",
            (
                FormField("title"),
                FormField("submitted_on", "date"),
                LEVEL,
                FormField("recipient"),
                BACKDATE,
            ),
            new_id="submission_id",
        ),
        SubmissionForm(
            "record_adoption",
            "outreach.record_adoption",
            (
                FormField("submission_id", "pick"),  # one of the items the page lists
                FormField("adopted_on", "date"),
                LEVEL,
                FormField("outlet", label="adopted_by"),
                BACKDATE,
            ),
        ),
    )
}
QUOTA_FORM = TargetForm(
    "quota",
    "outreach.set_quota",
    (choice("measure", QuotaMeasure, "quota_measure"), CADENCE, FormField("count", "number"), REASON),
)


def item_body(
    form: SubmissionForm, unit: str, form_id: str, values: dict[str, str], items: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The command body: the page's unit (an adoption: its item's unit), the form's id for a new item,
    the rest from the form. A ``unit`` or ``actor`` in the form is never read."""
    body: dict[str, Any] = {"unit": unit, **form_body(form.fields, values)}
    if form.new_id:
        body[form.new_id] = form_id
    if form.name == "record_adoption":
        item = items.get(str(body.get("submission_id", "")))
        body["unit"] = item["unit"] if item else unit
    return body


def item_options(items: list[dict[str, Any]], day: Any) -> list[tuple[str, str]]:
    """The items an adoption may be recorded for: by title and the day sent, newest first."""
    return [(item["submission_id"], f"{item['title']} · {day(item['submitted_on'])}") for item in items]

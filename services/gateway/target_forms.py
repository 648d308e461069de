"""Target forms on a unit's outreach page: activities of a kind (outreach.set_target) and meetings of a
kind (outreach.set_meeting_target) per month, quarter or year of a plan year, both picked from lists,
never typed (a year a few years back or ahead, a cadence). Offered to the roles the commands allow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.commands import COMMANDS, Actor, Command
from contracts.outreach import ActivityKind, Cadence, TargetScope
from contracts.outreach_meetings import MeetingKind
from services.gateway.form_fields import FormField, choice, form_body
from services.gateway.forms import whole_number

YEARS_BACK, YEARS_AHEAD = 1, 2  # last year's plan may still be corrected; plans are set a year or two ahead


@dataclass(frozen=True)
class TargetForm:
    """One kind of target as a form: its command and the fields it asks for (the year list is added
    when the page is drawn, around today)."""

    name: str
    command: str
    fields: tuple[FormField, ...]

    @property
    def model(self) -> type[Command]:
        return COMMANDS[self.command]

    def offered_to(self, actor: Actor) -> bool:
        return bool(actor.roles & self.model.allowed_roles)

    def fields_for(self, this_year: int) -> tuple[FormField, ...]:
        """The fields with the year as a list of plan years around ``this_year``."""
        years = tuple(str(year) for year in range(this_year - YEARS_BACK, this_year + YEARS_AHEAD + 1))
        return (FormField("year", "select", years, "plan_year"), *self.fields)

    def body(self, unit: str, values: dict[str, str]) -> dict[str, Any]:
        """The command body: the unit from the page's path, the rest from the form, the year as a number
        (anything else in it goes to the contract as typed, to be refused by name)."""
        body = {"unit": unit, **form_body(self.fields_for(0), values)}
        if isinstance(body.get("year"), str):
            body["year"] = whole_number(body["year"])
        return body


CADENCE = choice("cadence", Cadence, "cadence")
REASON = FormField("reason", "textarea", optional=True)
TARGET_FORMS = {
    form.name: form
    for form in (
        TargetForm(
            "activity",
            "outreach.set_target",
            (
                choice("kind", ActivityKind, "activity_kind"),
                CADENCE,
                FormField("count", "number"),
                FormField("audience", "number", optional=True),
                choice("scope", TargetScope, "target_scope"),
                REASON,
            ),
        ),
        TargetForm(
            "meeting",
            "outreach.set_meeting_target",
            (
                choice("kind", MeetingKind, "summary.meeting_kind"),
                CADENCE,
                FormField("count", "number"),
                REASON,
            ),
        ),
    )
}

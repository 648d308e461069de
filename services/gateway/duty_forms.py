"""The duty page's forms: which fields each duty command asks for and the command body a filled form
makes. Every form acts on the unit of the page (the actor acts through it: records in its subtree); ids of
new records are the form's id; who acts is the session's actor, never a field of the form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.commands import COMMANDS, Actor, Command
from contracts.duty import NegativeListItem, OutletKind
from contracts.duty.records import PartyCoverage
from contracts.units import Level, level_of
from services.gateway.form_fields import FormField, choice, form_body

FINDING_FIELDS = ("finding_outlet", "finding_item", "finding_description")
SEPARATOR = "/"  # between an inspection id and a finding id in one choice (ids never hold it)


@dataclass(frozen=True)
class DutyForm:
    """A duty command as a form on a unit's duty page; ``new_id`` names the id field the form's id fills;
    ``city_only`` forms are offered on the city's page alone (the cadence holds for the whole city)."""

    name: str
    command: str
    fields: tuple[FormField, ...]
    new_id: str = ""
    city_only: bool = False

    @property
    def model(self) -> type[Command]:
        return COMMANDS[self.command]

    def offered_to(self, actor: Actor, path: str) -> bool:
        """Only to roles the command allows (the unit is the page's, already in the actor's scope), and a
        city-only form only on the city's page."""
        if self.city_only and level_of(path) is not Level.CITY:
            return False
        return bool(actor.roles & self.model.allowed_roles)

    @property
    def shown(self) -> list[str]:
        return [field.name for field in self.fields]


EFFECTIVE_ON = FormField("effective_on", "date")
REASON = FormField("reason", "textarea")
# A social organization's records are sent on the page of the office above it: the organization picked by
# name among those of the page's subtree fills the command's ``unit``.
ORGANIZATION = FormField("organization", "pick")
ORGANIZATION_FORMS = ("set_party_coverage", "record_organization_inspection")
FORMS = {
    form.name: form
    for form in (
        DutyForm(
            "register_outlet",
            "duty.register_outlet",
            (
                choice("kind", OutletKind, "kind"),
                FormField("name"),
                FormField("owner_post_id", "pick"),
                FormField("address", optional=True),
                EFFECTIVE_ON,
            ),
            new_id="outlet_id",
        ),
        DutyForm(
            "change_outlet_owner",
            "duty.change_outlet_owner",
            (FormField("outlet_id", "pick"), FormField("to_post_id", "pick"), REASON, EFFECTIVE_ON),
        ),
        DutyForm(
            "fill_post",
            "duty.fill_post",
            (FormField("post_id", "pick"), FormField("person_name"), FormField("staff_no"), EFFECTIVE_ON),
        ),
        DutyForm("vacate_post", "duty.vacate_post", (FormField("post_id", "pick"), REASON, EFFECTIVE_ON)),
        DutyForm(
            "hand_over",
            "duty.hand_over",
            (FormField("from_post_id", "pick"), FormField("to_post_id", "pick"), REASON, EFFECTIVE_ON),
            new_id="handover_id",
        ),
        DutyForm(
            "record_inspection",
            "duty.record_inspection",
            (
                FormField("inspected_on", "date"),
                FormField("inspector"),
                FormField("outlets_checked", "many"),
                FormField("finding_outlet", "pick", optional=True),
                choice("finding_item", NegativeListItem, "kind", optional=True),
                FormField("finding_description", "textarea", optional=True),
                FormField("summary", "textarea", optional=True),
            ),
            new_id="inspection_id",
        ),
        DutyForm(
            "open_rectification",
            "duty.open_rectification",
            (FormField("finding", "pick"), FormField("workdays"), FormField("instructions", "textarea")),
            new_id="rectification_id",
        ),
        DutyForm(
            "add_rectification_evidence",
            "duty.add_rectification_evidence",
            (
                FormField("rectification_id", "pick"),
                FormField("description", "textarea"),
                FormField("file", "file", optional=True),
            ),
        ),
        DutyForm(
            "close_rectification",
            "duty.close_rectification",
            (FormField("rectification_id", "pick"), FormField("summary", "textarea")),
        ),
        DutyForm(
            "set_inspection_cadence",
            "duty.set_inspection_cadence",
            (choice("kind", OutletKind, "kind"), FormField("months", "number"), EFFECTIVE_ON),
            city_only=True,
        ),
        DutyForm(
            "record_half_year_report",
            "duty.record_half_year_report",
            (
                FormField("half_year", "pick"),
                FormField("reported_to"),
                FormField("occurred_at", "datetime"),
                FormField("backdate_reason", "textarea", optional=True),
                FormField("summary", "textarea", optional=True),
            ),
        ),
        DutyForm(
            "set_party_coverage",
            "duty.set_party_coverage",
            (
                ORGANIZATION,
                choice("coverage", PartyCoverage, "coverage"),
                EFFECTIVE_ON,
                FormField("note", "textarea", optional=True),
            ),
        ),
        DutyForm(
            "record_organization_inspection",
            "duty.record_organization_inspection",
            (
                ORGANIZATION,
                FormField("inspected_on", "date"),
                FormField("inspector"),
                FormField("summary", "textarea", optional=True),
            ),
            new_id="inspection_id",
        ),
    )
}


def offered_forms(actor: Actor, path: str) -> list[DutyForm]:
    """The forms this actor's roles may send on the page of ``path``, in the page's order."""
    return [form for form in FORMS.values() if form.offered_to(actor, path)]


def whole_or_text(value: str) -> int | str:
    """A form's number as an int; anything else as typed, for the contract to refuse by name."""
    return int(value) if value.isdigit() else value


def missing_finding_fields(values: Mapping[str, str]) -> list[str]:
    """A finding is all three of its fields or none: the ones left empty when some were filled."""
    filled = [name for name in FINDING_FIELDS if values.get(name)]
    return [name for name in FINDING_FIELDS if filled and name not in filled]


def duty_body(
    form: DutyForm,
    unit: str,
    form_id: str,
    *,
    values: dict[str, str],
    lists: Mapping[str, list[str]],
    evidence_reference: str | None = None,
) -> dict[str, Any]:
    """The command body: the page's unit, the form's id for a new record, and what the form says. Fields
    the form does not draw (``unit``, ``actor``…) are never read from it."""
    body: dict[str, Any] = {"unit": unit, **form_body(form.fields, values, lists)}
    if form.new_id:
        body[form.new_id] = form_id
    if form.name == "record_inspection":
        finding = {name: body.pop(name, None) for name in FINDING_FIELDS}
        body["findings"] = (
            [
                {
                    "finding_id": "f1",
                    "outlet_id": finding["finding_outlet"],
                    "item": finding["finding_item"],
                    "description": finding["finding_description"],
                }
            ]
            if all(finding.values())
            else []
        )
    elif form.name == "open_rectification":
        inspection_id, _, finding_id = str(body.pop("finding", "")).partition(SEPARATOR)
        body |= {"inspection_id": inspection_id, "finding_id": finding_id}
        body["workdays"] = whole_or_text(str(body["workdays"]))
    elif form.name == "add_rectification_evidence":
        evidence = {"description": body.pop("description", "")}
        if evidence_reference:
            evidence["reference"] = evidence_reference
        body["evidence"] = [evidence]
    elif form.name == "hand_over":
        body["move_oversight"] = True
    elif form.name in ORGANIZATION_FORMS:
        body["unit"] = body.pop("organization", "")  # checked by the page: one of its subtree's
    return body


# The command fields a form fills through an input of another name (their refusals show there).
DRAWN_AS = {
    "open_rectification": {"inspection_id": "finding", "finding_id": "finding"},
    "add_rectification_evidence": {"evidence": "description"},
    "record_inspection": {"findings": "finding_description"},
    "set_party_coverage": {"unit": "organization"},
    "record_organization_inspection": {"unit": "organization"},
}

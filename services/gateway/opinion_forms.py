"""The opinion loop's forms: which fields each step asks for, which unit acts in it, and the command body
a filled form makes. The case's state decides which steps a page offers (the opinion domain's own table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from contracts.commands import COMMANDS, Actor, Command
from contracts.opinion import ActionKind, Category, Channel, Reception, Severity
from contracts.units import is_within
from services.gateway.form_fields import FormField, choice, form_body
from services.opinion.domain.case import CaseState, allowed_steps, strictly_within

UNGRADED = ("category", "severity", "owning_unit")
Acting = Literal["desk", "assignee", "actor"]


@dataclass(frozen=True)
class CaseStep:
    """A step of the loop as a form: the command it sends and the unit the command acts as."""

    step: str
    command: str
    fields: tuple[FormField, ...]
    acting: Acting

    @property
    def model(self) -> type[Command]:
        return COMMANDS[self.command]

    def acting_unit(self, case: dict[str, Any], actor: Actor) -> str:
        """The unit the step is taken as: the desk, the assignee, or (督办) the actor's own unit."""
        if self.acting == "actor":
            return actor.scope
        return str(case["assignee"] if self.acting == "assignee" else case["desk"])

    def offered_to(self, case: dict[str, Any], actor: Actor) -> bool:
        """Whether the actor's roles allow the command and its scope holds the acting unit; supervision
        only from a level above the unit handling the case."""
        if not actor.roles & self.model.allowed_roles:
            return False
        if self.acting == "actor":
            handler = case["assignee"] or case["desk"]
            supervisor = case.get("supervisor")
            return strictly_within(handler, actor.scope) and not (
                supervisor and is_within(actor.scope, supervisor)
            )
        unit = case["assignee"] if self.acting == "assignee" else case["desk"]
        return bool(unit) and is_within(unit, actor.scope)


REPORT_FIELDS = (
    choice("channel", Channel, "channel"),
    FormField("title"),
    FormField("excerpt", "textarea"),
    FormField("link", optional=True),
    FormField("captured_at", "datetime"),
)
STEPS = {
    step.step: step
    for step in (
        CaseStep(
            "grade",
            "opinion.grade",
            (
                FormField("relevant", "yesno"),
                choice("category", Category, "category", optional=True),
                choice("severity", Severity, "severity", optional=True),
                FormField("owning_unit", "unit", optional=True),
                FormField("note", "textarea", optional=True),
            ),
            "desk",
        ),
        CaseStep(
            "assign",
            "opinion.assign",
            (FormField("to_unit", "unit"), FormField("note", optional=True)),
            "desk",
        ),
        CaseStep("acknowledge", "opinion.acknowledge", (), "assignee"),
        CaseStep(
            "record_action",
            "opinion.record_action",
            (choice("action", ActionKind, "action"), FormField("description", "textarea")),
            "assignee",
        ),
        CaseStep(
            "give_feedback",
            "opinion.give_feedback",
            (
                FormField("said", "textarea"),
                choice("reception", Reception, "reception"),
                FormField("reception_note", optional=True),
            ),
            "assignee",
        ),
        CaseStep("close", "opinion.close", (FormField("resolution", "textarea"),), "desk"),
        CaseStep("supervise", "opinion.supervise", (FormField("reason", "textarea"),), "actor"),
    )
}


def offered_steps(case: dict[str, Any], actor: Actor) -> list[CaseStep]:
    """The steps the case's state allows now that this actor may take, in the loop's order."""
    allowed = {step.value for step in allowed_steps(CaseState(case["state"]))}
    if case["state"] != CaseState.GRADED.value:
        allowed.discard("assign")  # the assignee passing a case further down (转派) is not one of these forms
    return [step for name, step in STEPS.items() if name in allowed and step.offered_to(case, actor)]


def step_body(step: CaseStep, case: dict[str, Any], actor: Actor, values: dict[str, str]) -> dict[str, Any]:
    """The step's command body: the case, the acting unit and what the form says."""
    body = {
        "case_id": case["case_id"],
        "unit": step.acting_unit(case, actor),
        **form_body(step.fields, values),
    }
    if body.get("relevant") is False:  # a dismissal carries no grade: drop what the selects still hold
        for name in UNGRADED:
            body.pop(name, None)
    return body

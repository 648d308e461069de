"""The opinion loop's forms: which fields each step asks for, which unit acts in it, and the command body
a filled form makes. The case's state decides which steps a page offers (the opinion domain's own table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from contracts.commands import COMMANDS, Actor, Command
from contracts.opinion import ActionKind, Category, Channel, Reception, Severity
from contracts.units import is_within
from services.gateway import opinion_step_rules as rules
from services.gateway.form_fields import FormField, choice, form_body
from services.opinion.domain.case import CaseState, Step, allowed_steps

UNGRADED = ("category", "severity", "owning_unit")
# The unit a step is taken as: the desk, the assignee, whoever holds the case now (the assignee, else the
# desk: 退单 and 上报 are the holder's), or the actor's own unit (督办, reopening, deciding an extension).
Acting = Literal["desk", "assignee", "holder", "actor"]
Fits = Callable[[dict[str, Any], str], bool]


def anyway(case: dict[str, Any], unit: str) -> bool:
    return True


@dataclass(frozen=True)
class CaseStep:
    """A step of the loop as a form: the loop's step whose turn it must be, the command it sends, the unit
    it acts as, and what else the case must show for the domain to accept it from that unit (``fits``
    mirrors the domain's rule so that a page offers no form bound to be refused; the domain decides)."""

    step: str
    command: str
    fields: tuple[FormField, ...]
    acting: Acting
    loop_step: Step
    fits: Fits = anyway
    units_below_only: bool = False  # its unit field offers only the units below the acting one

    @property
    def model(self) -> type[Command]:
        return COMMANDS[self.command]

    def acting_unit(self, case: dict[str, Any], actor: Actor) -> str | None:
        """The unit the step is taken as, from the case and the session (never from the form)."""
        if self.acting == "actor":
            return actor.scope
        if self.acting == "holder":
            unit = case["assignee"] or case["desk"]
        else:
            unit = case["assignee"] if self.acting == "assignee" else case["desk"]
        return str(unit) if unit else None

    def offered_to(self, case: dict[str, Any], actor: Actor) -> bool:
        """Whether the actor's roles allow the command, its scope holds the acting unit and the case fits."""
        if not actor.roles & self.model.allowed_roles:
            return False
        unit = self.acting_unit(case, actor)
        return bool(unit) and is_within(str(unit), actor.scope) and self.fits(case, str(unit))


REPORT_FIELDS = (
    choice("channel", Channel, "channel"),
    FormField("title"),
    FormField("excerpt", "textarea"),
    FormField("link", optional=True),
    FormField("captured_at", "datetime"),
)
DISPATCH_FIELDS = (FormField("to_unit", "unit"), FormField("note", optional=True))


def reason_for(step: str) -> tuple[FormField, ...]:
    """A step's one ``reason`` field, labelled for the step (退单理由, 上报理由, …)."""
    return (FormField("reason", "textarea", label=f"{step}_reason"),)


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
            Step.GRADE,
        ),
        CaseStep("assign", "opinion.assign", DISPATCH_FIELDS, "desk", Step.ASSIGN, rules.dispatching),
        CaseStep("acknowledge", "opinion.acknowledge", (), "assignee", Step.ACKNOWLEDGE),
        CaseStep(
            "pass_down",
            "opinion.assign",
            DISPATCH_FIELDS,
            "assignee",
            Step.ASSIGN,
            rules.passing_down,
            units_below_only=True,
        ),
        CaseStep(
            "record_action",
            "opinion.record_action",
            (choice("action", ActionKind, "action"), FormField("description", "textarea")),
            "assignee",
            Step.RECORD_ACTION,
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
            Step.GIVE_FEEDBACK,
        ),
        CaseStep(
            "request_extension",
            "opinion.request_extension",
            (FormField("workdays", "number"), *reason_for("extension")),
            "assignee",
            Step.REQUEST_EXTENSION,
            rules.may_ask_extension,
        ),
        CaseStep(
            "decide_extension",
            "opinion.decide_extension",
            (FormField("approved", "yesno"), FormField("note", optional=True)),
            "actor",
            Step.DECIDE_EXTENSION,
            rules.may_decide_extension,
        ),
        CaseStep("return", "opinion.return", reason_for("return"), "holder", Step.RETURN, rules.may_return),
        CaseStep(
            "escalate",
            "opinion.escalate",
            reason_for("escalate"),
            "holder",
            Step.ESCALATE,
            rules.may_escalate,
        ),
        CaseStep("close", "opinion.close", (FormField("resolution", "textarea"),), "desk", Step.CLOSE),
        CaseStep("reopen", "opinion.reopen", reason_for("reopen"), "actor", Step.REOPEN, rules.may_reopen),
        CaseStep(
            "supervise",
            "opinion.supervise",
            (FormField("reason", "textarea"),),
            "actor",
            Step.SUPERVISE,
            rules.may_supervise,
        ),
    )
}


def offered_steps(case: dict[str, Any], actor: Actor) -> list[CaseStep]:
    """The steps the case's state allows now that this actor may take, in the loop's order."""
    allowed = set(allowed_steps(CaseState(case["state"])))
    return [step for step in STEPS.values() if step.loop_step in allowed and step.offered_to(case, actor)]


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

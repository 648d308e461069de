"""The assessment pages' forms: adjust a unit's score for a period, publish a bulletin, file an appeal
(申诉) against a bulletin that ranks the unit, and decide one. Which fields each asks for (the opinion
forms' FormField), the command body a filled form makes, and who is offered which form: the command's
roles, and for a decision the level that published the bulletin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contracts.assessment import AdjustScore, DecideAppeal, FileAppeal, PublishBulletin
from contracts.commands import Actor, Command
from contracts.units import is_within
from services.gateway.form_fields import FormField, form_body

ADJUST_FIELDS = (FormField("points", "number"), FormField("reason", "textarea"))
PUBLISH_FIELDS = (FormField("period", "period"), FormField("title", optional=True))
DECIDE_FIELDS = (
    FormField("upheld", "yesno"),
    FormField("points", "number", optional=True),
    FormField("reason", "textarea"),
)
REASON = FormField("reason", "textarea")


def may(actor: Actor, model: type[Command]) -> bool:
    """Whether the actor's roles allow the command (the service refuses the others with 403 anyway)."""
    return bool(actor.roles & model.allowed_roles)


def appeal_fields(periods: Iterable[str]) -> tuple[FormField, ...]:
    """The appeal form: the period of a bulletin that ranks the unit (a picker of those), and why."""
    return (FormField("period", "period", choices=tuple(periods)), REASON)


def appealable_periods(bulletins: list[dict[str, Any]], unit: str) -> list[str]:
    """The periods of the bulletins that rank ``unit`` (newest first, once each): what it may appeal.
    Whether the window is still open is the service's rule; the page shows each bulletin's deadline."""
    periods: list[str] = []
    for bulletin in bulletins:
        if bulletin["period"] not in periods and bulletin["unit"] != unit:
            periods.append(bulletin["period"])
    return periods


def adjust_body(unit: str, period: str, values: dict[str, str]) -> dict[str, Any]:
    return {"unit": unit, "period": period, **form_body(ADJUST_FIELDS, values)}


def publish_body(unit: str, values: dict[str, str]) -> dict[str, Any]:
    return {"unit": unit, **form_body(PUBLISH_FIELDS, values)}


def appeal_body(unit: str, appeal_id: str, values: dict[str, str]) -> dict[str, Any]:
    return {"unit": unit, "appeal_id": appeal_id, **form_body(appeal_fields(()), values)}


def decide_body(appeal: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """Decided as the unit that published the bulletin appealed against (from the view, not the form)."""
    return {
        "appeal_id": appeal["appeal_id"],
        "unit": appeal["bulletin_unit"],
        **form_body(DECIDE_FIELDS, values),
    }


def decidable(appeal: dict[str, Any], actor: Actor) -> bool:
    """An appeal waiting for a decision that this actor may take: an assessor at or above the level that
    published the bulletin."""
    return (
        appeal["state"] == "filed"
        and may(actor, DecideAppeal)
        and is_within(str(appeal["bulletin_unit"]), actor.scope)
    )


def offered(actor: Actor, score: dict[str, Any] | None, appeal_periods: list[str]) -> dict[str, bool]:
    """Which forms the unit page offers this actor: adjusting only an open (not yet published) score."""
    return {
        "adjust": may(actor, AdjustScore) and score is not None and not score["frozen"],
        "publish": may(actor, PublishBulletin),
        "appeal": may(actor, FileAppeal) and bool(appeal_periods),
    }

"""Domain errors (a clerk can read them) and the translation of validation errors into field errors."""

from __future__ import annotations

from pydantic import ValidationError

from contracts.commands import ErrorCode, FieldError


class DomainError(Exception):
    """A command refused by a rule. The message is shown to the user as is."""

    code: ErrorCode = "rejected"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class NotFound(DomainError):
    code = "not_found"


class AlreadyExists(DomainError):
    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


REASONS = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}


def field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    """One readable entry per problem: the dotted field path and why."""
    found = []
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"])
        reason = REASONS.get(item["type"], item["msg"])
        if item["type"] == "value_error":
            reason = reason.removeprefix("Value error, ")
        found.append(FieldError(field=f"{prefix}{path}" if path else prefix.rstrip("."), reason=reason))
    return found

"""Domain errors (a clerk can read them) and the translation of validation errors into field errors."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from pydantic import ValidationError

from contracts.commands import ErrorBody, ErrorCode, FieldError
from contracts.inputs import InputError


class DomainError(Exception):
    """A command refused by a rule. The message is shown to the user as is."""

    code: ErrorCode = "rejected"

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        rule: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.field = message, field
        # A stable code and its values, so a page can say the refusal in its own language.
        self.rule = rule
        self.params = {key: str(value) for key, value in (params or {}).items()}

    def field_error(self) -> FieldError | None:
        if self.field is None:
            return None
        return FieldError(field=self.field, reason=self.message, code=self.rule, params=self.params)


class NotFound(DomainError):
    code = "not_found"


class AlreadyExists(DomainError):
    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


log = logging.getLogger(__name__)


def internal_error(message: str, **context: Any) -> ErrorBody:
    """Log the exception being handled under a new error id; the caller gets the message and the id,
    never the traceback."""
    error_id = uuid.uuid4().hex[:16]
    log.exception(message, extra={"error_id": error_id, **context})
    return ErrorBody(code="internal", message=f"{message} (error id {error_id}, in the service's log)")


REASONS = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}


def field_errors(error: ValidationError | InputError, prefix: str = "") -> list[FieldError]:
    """One readable entry per problem: the dotted field path and why."""
    if isinstance(error, InputError):
        return [
            FieldError(
                field=f"{prefix}{error.field}" if error.field else prefix.rstrip("."), reason=error.reason
            )
        ]
    found = []
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"])
        reason = REASONS.get(item["type"], item["msg"])
        if item["type"] == "value_error":
            reason = reason.removeprefix("Value error, ")
        params = {key: str(value) for key, value in (item.get("ctx") or {}).items()}
        found.append(
            FieldError(
                field=f"{prefix}{path}" if path else prefix.rstrip("."),
                reason=reason,
                code=item["type"],
                params=params,
            )
        )
    return found

"""One error shape for every API answer, and the HTTP status each error code maps to.

``{"ok": false, "error": {"code", "message", "fields": [{"field", "reason"}]}}`` — the same shape the
services reply with over NATS, plus ``unauthorized`` which only the gateway can say.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from contracts.commands import ErrorBody, FieldError

ApiErrorCode = Literal[
    "invalid",
    "forbidden",
    "not_found",
    "conflict",
    "rejected",
    "unavailable",
    "internal",
    "unauthorized",
    "too_large",
    "method_not_allowed",
]
STATUS_BY_CODE: dict[str, int] = {  # keys: every ApiErrorCode (a test holds them equal)
    "invalid": 422,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "rejected": 422,
    "unavailable": 503,
    "internal": 500,
    "unauthorized": 401,
    "too_large": 413,
    "method_not_allowed": 405,
}
CODE_BY_STATUS = {status: code for code, status in STATUS_BY_CODE.items() if code != "rejected"}


class ApiErrorBody(BaseModel):
    """What went wrong: a code, a message a person can read, and the fields at fault with why."""

    model_config = ConfigDict(frozen=True)
    code: ApiErrorCode
    message: str
    fields: list[FieldError]


class ApiError(BaseModel):
    """The body of every error answer under /api (4xx and 5xx alike): documented in the OpenAPI document."""

    model_config = ConfigDict(frozen=True)
    ok: Literal[False]
    error: ApiErrorBody


class GatewayError(Exception):
    """Anything the gateway answers with an error: rendered as JSON for the API, as a page elsewhere."""

    def __init__(
        self, code: str, message: str, fields: list[FieldError] | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.fields = list(fields or [])
        self.status = status or STATUS_BY_CODE.get(code, 500)

    @classmethod
    def from_body(cls, body: ErrorBody) -> GatewayError:
        return cls(body.code, body.message, body.fields)

    @classmethod
    def from_answer(cls, error: dict[str, Any]) -> GatewayError:
        """From a query answer's ``error`` object (which may carry fields, or not)."""
        fields = [FieldError.model_validate(f) for f in error.get("fields") or []]
        return cls(str(error.get("code", "internal")), str(error.get("message", "")), fields)

    def payload(self) -> dict[str, Any]:
        fields = [field.model_dump(exclude_defaults=True) for field in self.fields]  # code, params when set
        return {"ok": False, "error": {"code": self.code, "message": self.message, "fields": fields}}


def field_error(field: str, reason: str, code: str = "invalid", status: int | None = None) -> GatewayError:
    """An error about one named field, the field repeated in ``fields``."""
    return GatewayError(code, f"{field}: {reason}", [FieldError(field=field, reason=reason)], status)


def error_response(error: GatewayError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error.payload(), status_code=error.status, headers=headers)

"""The gateway's OpenAPI document: a typed request body for every command, the reply and error schemas
of every API route, and the bearer scheme. Served at ``/api/openapi.json`` and ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic.json_schema import models_json_schema

from contracts.commands import COMMANDS, Command
from contracts.schemas import command_description
from services.gateway.errors import ApiError

COMPONENTS = "#/components/schemas/"

# Every API route may answer these; each is the ApiError body.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ApiError, "description": "No valid bearer token (code `unauthorized`)."},
    403: {"model": ApiError, "description": "The token's roles do not allow this (code `forbidden`)."},
    404: {
        "model": ApiError,
        "description": "Not known, or outside the token's subtree: both get the same answer (`not_found`).",
    },
    422: {"model": ApiError, "description": "A field is not valid: `fields` names it and says why."},
    500: {"model": ApiError, "description": "Unexpected: the message carries an id to find it in the logs."},
    503: {"model": ApiError, "description": "A service the answer needs is not reachable (`unavailable`)."},
}
# A command may also conflict with the stream's state, or arrive larger than it may be.
COMMAND_ERRORS: dict[int | str, dict[str, Any]] = API_ERRORS | {
    409: {
        "model": ApiError,
        "description": "The record changed meanwhile, or is in a state that refuses it.",
    },
    413: {"model": ApiError, "description": "The body is larger than the command allows (`too_large`)."},
}


def command_path(name: str) -> str:
    """``duty.register_unit`` → ``/api/v1/commands/duty/register_unit``."""
    context, _, command = name.partition(".")
    return f"/api/v1/commands/{context}/{command}"


def command_operation(model: type[Command]) -> dict[str, Any]:
    """The documented parts of a command's route: the body is read by the door (contracts.inputs), not by
    FastAPI, so it is declared here and its schema added to the components by GatewayApp."""
    name = model.command_name
    return {
        "summary": f"{model.__name__} ({name})",
        "description": command_description(model)
        + " Over HTTP the `Idempotency-Key` header is the command id: the same key with the same body "
        "returns the first reply and applies nothing again; with another body it is a 422.",
        "operation_id": f"command.{name}",
        "tags": [name.partition(".")[0]],
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": COMPONENTS + model.__name__}}},
            },
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "Your key for this request (8–64 of letters, digits, _ . : -).",
                    "schema": {
                        "type": "string",
                        "minLength": 8,
                        "maxLength": 64,
                        "pattern": "^[A-Za-z0-9_.:-]+$",
                    },
                },
                {
                    "name": "X-Correlation-Id",
                    "in": "header",
                    "required": False,
                    "description": "Carried into the events' `correlationid`.",
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 64,
                        "pattern": "^[A-Za-z0-9_.:-]+$",
                    },
                },
            ],
        },
        "responses": COMMAND_ERRORS,
    }


def command_schemas() -> dict[str, Any]:
    """Every command body's schema (and the models they use), keyed by component name."""
    models = [(model, "validation") for model in COMMANDS.values()]
    _, top = models_json_schema(models, ref_template=COMPONENTS + "{model}")  # type: ignore[arg-type]
    schemas: dict[str, Any] = top.get("$defs", {})
    return schemas


class GatewayApp(FastAPI):
    """FastAPI, whose document also carries the command bodies' schemas: FastAPI adds only the models
    it parses itself, and the gateway leaves command bodies to the door."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is not None:
            return self.openapi_schema
        document = super().openapi()  # FastAPI keeps it as openapi_schema: completed here once
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in command_schemas().items():
            if components.setdefault(name, schema) != schema:
                raise ValueError(f"two different schemas are both called {name} in the OpenAPI document")
        return document


async def openapi_json(request: Request) -> JSONResponse:
    """The OpenAPI document, for tools that look for it at the root."""
    app: FastAPI = request.app
    return JSONResponse(app.openapi())

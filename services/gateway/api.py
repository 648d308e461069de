"""The JSON API: ``POST /api/v1/commands/<context>/<name>`` (a route per command) and the top units (the
other reads are generated from the query contracts: query_routes.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from contracts.commands import COMMANDS, Actor, CommandReply
from contracts.queries.units import UnitsAnswer
from services.eventkit.client import SanjiClient
from services.gateway.auth import api_actor
from services.gateway.commands import command_name, forward, header_id, parse_json_object, read_body
from services.gateway.errors import GatewayError
from services.gateway.openapi import command_operation, command_path
from services.gateway.params import passed
from services.gateway.reads import top_units

router = APIRouter(prefix="/api/v1")
ApiActor = Annotated[Actor, Depends(api_actor)]


def sanji_of(request: Request) -> SanjiClient:
    sanji: SanjiClient | None = getattr(request.app.state, "sanji", None)
    if sanji is None:
        raise GatewayError("unavailable", "the gateway is not connected to NATS yet")
    return sanji


async def send_command(full_name: str, request: Request, actor: Actor) -> JSONResponse:
    """Forward the JSON body as command ``full_name``; the reply's error code sets the status."""
    body = parse_json_object(await read_body(request, COMMANDS[full_name].max_bytes))
    reply = await forward(
        sanji_of(request),
        full_name,
        body,
        actor,
        command_id=header_id(request, "Idempotency-Key", 8),
        correlation_id=header_id(request, "X-Correlation-Id", 1),
    )
    return JSONResponse(reply.model_dump(mode="json"))


def command_endpoint(full_name: str) -> Any:
    async def post(request: Request, actor: ApiActor) -> JSONResponse:
        return await send_command(full_name, request, actor)

    return post


def add_command_routes(api: APIRouter) -> None:
    """One documented route per command, so the OpenAPI document gives each its typed body."""
    for name, model in sorted(COMMANDS.items()):
        api.add_api_route(
            command_path(name).removeprefix(api.prefix),
            command_endpoint(name),
            methods=["POST"],
            response_model=CommandReply,
            **command_operation(model),
        )


# Before the catch-all below, which answers a name that is no command with a 404 naming it.
add_command_routes(router)


@router.post("/commands/{context}/{name}", include_in_schema=False)
async def post_command(context: str, name: str, request: Request, actor: ApiActor) -> JSONResponse:
    """Any other ``<context>/<name>``: a 404 naming it (or the command, should one be added late)."""
    return await send_command(command_name(context, name), request, actor)


@router.get("/units", response_model=UnitsAnswer)
async def get_units(request: Request, actor: ApiActor) -> dict[str, Any]:
    """The top units in the actor's scope with their subtree counts, and the projection's freshness."""
    return await top_units(sanji_of(request), actor, **passed(request, "after"))

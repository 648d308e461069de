"""The read routes, one per query contract that names an HTTP path (contracts/queries): the unit in the
path kept inside the actor's subtree (or the record's units), the documented query parameters checked at
the door and passed on, ``after`` included, and the answer model as the response model."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from contracts.commands import Actor, FieldError
from contracts.queries import QUERIES, QueryContract
from contracts.units import UNIT_PATH_SCHEMA
from services.gateway.api import sanji_of
from services.gateway.auth import api_actor
from services.gateway.errors import GatewayError
from services.gateway.params import passed
from services.gateway.reads import checked_path, query, scoped_record

router = APIRouter()
ApiActor = Annotated[Actor, Depends(api_actor)]
PATH_PARAM = re.compile(r"\{(\w+)\}")
UNIT_PATH = "unitpath"  # the route's name for the unit in its path, whatever the query calls it


def query_names(contract: QueryContract) -> list[str]:
    """The parameters a caller gives in the query string: the contract's, less those in the path."""
    in_path = {contract.unit_param, contract.record_param, *PATH_PARAM.findall(contract.path or "")}
    fields = contract.params.model_fields
    return [field.alias or name for name, field in fields.items() if name not in in_path]


async def answer(request: Request, actor: Actor, contract: QueryContract) -> dict[str, Any]:
    """The query's answer for this request, or the not-found a missing record gets when out of scope."""
    params: dict[str, Any] = passed(request, *query_names(contract))
    path_params = dict(request.path_params)
    name = f"projection.{contract.name}"
    if contract.unit_param is not None:
        params[contract.unit_param] = checked_path(path_params.pop(UNIT_PATH), actor)
    params |= path_params
    try:
        if contract.record_param is not None and contract.record_units is not None:
            kind, ident = contract.record_param.removesuffix("_id"), params.pop(contract.record_param)
            units = contract.record_units
            return await scoped_record(sanji_of(request), name, kind, ident, actor, units=units, **params)
        return await query(sanji_of(request), name, params)
    except GatewayError as error:
        raise in_query_string(error, query_names(contract)) from None


def in_query_string(error: GatewayError, names: list[str]) -> GatewayError:
    """The projection names a bad parameter as its contract does; over HTTP it is ``query.<name>``."""
    fields = [
        FieldError(field=f"query.{f.field}", reason=f.reason) if f.field in names else f for f in error.fields
    ]
    message = error.message
    if fields and fields[0].field != error.fields[0].field:
        message = f"{fields[0].field}: {fields[0].reason}"
    return GatewayError(error.code, message, fields, error.status)


def parameters(contract: QueryContract) -> list[dict[str, Any]]:
    """The OpenAPI parameters of the route: path ones, then the query string's from the params model."""
    schema = contract.params.model_json_schema(by_alias=True)
    properties: dict[str, Any] = inlined(schema.get("properties", {}), schema.get("$defs", {}))
    found = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": UNIT_PATH_SCHEMA if name == UNIT_PATH else {"type": "string"},
        }
        for name in PATH_PARAM.findall(contract.path or "")
    ]
    for name in query_names(contract):
        spec = dict(properties.get(name, {}))
        description = spec.pop("description", "")
        found.append(
            {"name": name, "in": "query", "required": False, "schema": spec, "description": description}
        )
    return found


def inlined(schema: Any, defs: dict[str, Any]) -> Any:
    """``schema`` with its ``#/$defs/`` references replaced by what they name (a parameter's schema
    stands alone in the document; its enums are small)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: inlined(value, defs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [inlined(item, defs) for item in schema]
    return schema


def endpoint(contract: QueryContract) -> Any:
    async def read(request: Request, actor: ApiActor) -> dict[str, Any]:
        return await answer(request, actor, contract)

    read.__doc__ = contract.summary
    return read


def add_query_routes(api: APIRouter) -> None:
    """A GET route per query contract with a path; a contract with a path but no scope rule is refused."""
    for name, contract in sorted(QUERIES.items()):
        if contract.path is None:
            continue
        if contract.unit_param is None and contract.record_units is None and not contract.unscoped:
            raise ValueError(f"query {name} has a route but no rule for whose it is")
        api.add_api_route(
            contract.path,
            endpoint(contract),
            methods=["GET"],
            response_model=contract.answer,
            summary=contract.summary,
            operation_id=f"query.{name}",
            tags=[name.partition(".")[0] if "." in name else "units"],
            openapi_extra={"parameters": parameters(contract)},
        )


add_query_routes(router)

"""The emulator's own OpenAPI document, generated from the registered operations.

`GET /_emulator/openapi.json` lists every route the emulator serves on each surface, with the
credentials and api-version each takes. Emulator-only routes carry `x-emulator-extension: true`;
Azure dated routes gated by api-version carry `x-emulator-feature` with the first version serving them.
Each operation's request body and successful answers are described (emulator/openapi_bodies.py) well
enough for a schema-driven fuzzer; the official documents hold the full shapes (see the README).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from starlette.responses import Response

from emulator import __version__
from emulator.api.openapi import bodies as openapi_bodies
from emulator.http import versions
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.surfaces import Surface

PATH = "/_emulator/openapi.json"
_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
_TAGS = {
    Surface.AZURE: "Azure OpenAI (dated api-version)",
    Surface.AZURE_V1: "Azure OpenAI v1",
    Surface.OPENAI: "OpenAI",
    None: "Emulator",
}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": ["string", "null"]},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}


def _security(op: Operation, surface: Surface | None) -> list[dict[str, list[str]]]:
    if op.public:
        return []
    if surface is Surface.OPENAI:
        return [{"bearer": []}]
    return [{"apiKey": []}, {"bearer": []}]


def _parameters(op: Operation, surface: Surface | None, path: str) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(path)
    ]
    params += [
        {"name": name, "in": "query", "schema": schema}
        for name, schema in openapi_bodies.QUERIES.get(op.name, {}).items()
    ]
    if surface is Surface.AZURE:
        params.append(
            {
                "name": "api-version",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "enum": list(versions.KNOWN_VERSIONS)},
            }
        )
    elif surface is Surface.AZURE_V1:
        params.append(
            {"name": "api-version", "in": "query", "schema": {"type": "string", "enum": ["v1", "preview"]}}
        )
    return params


def _responses(op: Operation) -> dict[str, Any]:
    # An operation not yet described still gets a 200 without a shape (a test asks for its entry).
    success = openapi_bodies.RESPONSES.get(op.name, openapi_bodies.Success((200,), None))
    responses: dict[str, Any] = {}
    for status in success.statuses:
        responses[str(status)] = {"description": "Success"}
        if success.schema is not None and status != 204:
            responses[str(status)]["content"] = {
                media_type: {
                    "schema": success.schema if media_type == openapi_bodies.JSON else {"type": "string"}
                }
                for media_type in success.media_types
            }
    responses["default"] = {
        "description": "An error, in the surface's envelope",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return responses


def _operation(op: Operation, surface: Surface | None, path: str, operation_id: str) -> dict[str, Any]:
    doc = (op.handler.__doc__ or "").strip().splitlines()
    entry: dict[str, Any] = {
        "operationId": operation_id,
        "summary": op.name.replace("_", " "),
        "tags": [_TAGS[surface]],
        "parameters": _parameters(op, surface, path),
        "security": _security(op, surface),
        "responses": _responses(op),
        "x-emulator-access": op.access.value,
        "x-emulator-family": op.family.value,
    }
    body = openapi_bodies.REQUESTS.get(op.name)
    if body is not None:
        entry["requestBody"] = {
            "required": body.required,
            "content": {body.media_type: {"schema": body.schema}},
        }
    if doc:
        entry["description"] = doc[0]
    if op.extension:
        entry["x-emulator-extension"] = True
    if op.feature is not None and surface is Surface.AZURE:
        feature = versions.FEATURES.get(op.feature)
        entry["x-emulator-feature"] = {"name": op.feature} | (
            {
                "first_preview": feature.first_preview,
                "first_stable": feature.first_stable,
                "last": feature.last,
            }
            if feature
            else {}
        )
    return entry


def document(operations: Iterable[Operation]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for op in operations:
        for surface, path in op.paths:
            full = (surface.prefix if surface else "") + path
            operation_id = op.name if surface is None else f"{op.name}_{surface.value}"
            while operation_id in used:  # the same operation at a second path on one surface
                operation_id += "_alt"
            used.add(operation_id)
            paths.setdefault(full, {})[op.method.lower()] = _operation(op, surface, path, operation_id)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "aoai-emulator",
            "version": __version__,
            "description": "A local emulator of the Azure OpenAI and OpenAI APIs: every route it serves.",
        },
        "tags": [{"name": name} for name in _TAGS.values()],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "api-key"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {"Error": _ERROR, **openapi_bodies.model_schemas()},
        },
    }


_documents: dict[int, dict[str, Any]] = {}


async def get_openapi(call: Call) -> Response:
    """The emulator's own OpenAPI document: every route on every surface, extensions marked. Written once
    per set of operations (the app's, from the registry), which live as long as the process."""
    operations: tuple[Operation, ...] = call.request.app.state.operations
    if id(operations) not in _documents:
        _documents[id(operations)] = document(operations)
    return json_response(_documents[id(operations)])


OPERATIONS = (
    Operation("get_openapi", "GET", ((None, PATH),), get_openapi, Access.READ, extension=True, public=True),
)

"""The emulator's own OpenAPI document, written from the registered operations and what each feature says
its operations take and answer (its `docs.py`).

Every route the emulator serves is listed on each surface, with the credentials and api-version each
takes. Emulator-only routes carry `x-emulator-extension: true`; Azure dated routes gated by api-version
carry `x-emulator-feature` with the first version serving them. Request bodies come from the pydantic
models where an operation has one, and from a short description where the handler checks the body
itself. Successful answers are described by their object type, required keys and their types, and stay
open (`additionalProperties: true`): the official documents hold the full shapes. A schema-driven fuzzer
reads both (tests/test_fuzz*.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from emulator import __version__
from emulator.http import versions
from emulator.http.routing import Operation
from emulator.surfaces import Surface

REF = "#/components/schemas/{model}"
JSON = "application/json"
MULTIPART = "multipart/form-data"
EVENT_STREAM = "text/event-stream"

STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
NUMBER: dict[str, Any] = {"type": "number"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
OBJECT: dict[str, Any] = {"type": "object"}
INT64: dict[str, Any] = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
ARRAY: dict[str, Any] = {"type": "array"}
METADATA: dict[str, Any] = {
    "type": ["object", "null"],
    "maxProperties": 16,
    "propertyNames": {"maxLength": 64},
    "additionalProperties": {"type": "string", "maxLength": 512},
}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


def obj(required: tuple[str, ...] = (), *, closed: bool = False, **properties: Any) -> dict[str, Any]:
    """An object with these properties (`required` among them); open unless `closed`."""
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": not closed}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: dict[str, Any], **limits: int) -> dict[str, Any]:
    return {"type": "array", "items": items, **limits}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def typed(object_type: str | None, *required: str, **properties: Any) -> dict[str, Any]:
    """A response object: its `object` (when it has one), its required keys, any others allowed."""
    props: dict[str, Any] = {name: {} for name in required}
    props.update(properties)
    if object_type is not None:
        props["object"] = {"const": object_type}
        required = ("object", *required)
    return obj(tuple(dict.fromkeys(required)), **props)


# --- request bodies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    schema: dict[str, Any]
    media_type: str = JSON
    required: bool = True


def model_ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


def model_schemas(models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    """The request models and every model they use, as components of the document."""
    top, defs = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    for (model, _), schema in top.items():
        if "$ref" not in schema:
            schemas[model.__name__] = schema
    return schemas


@dataclass(frozen=True)
class Success:
    statuses: tuple[int, ...]
    schema: dict[str, Any] | None  # None: no content
    media_types: tuple[str, ...] = (JSON,)


def listing(item: dict[str, Any] | None = None) -> dict[str, Any]:
    return typed("list", "data", data=array(item or OBJECT))


def deleted(object_type: str, id_key: str) -> dict[str, Any]:
    return typed(object_type, id_key, "deleted", deleted={"const": True})


AFTER_LIMIT: dict[str, Any] = {"after": STRING, "limit": {"type": "integer", "minimum": 1}}
PAGE: dict[str, Any] = {**AFTER_LIMIT, "order": enum("asc", "desc")}


@dataclass(frozen=True)
class Docs:
    """What a feature's operations take and answer, by operation name."""

    requests: Mapping[str, Body] = field(default_factory=dict)
    responses: Mapping[str, Success] = field(default_factory=dict)
    queries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    models: tuple[type[BaseModel], ...] = ()  # pydantic request models, written out as components

    def __add__(self, other: Docs) -> Docs:
        return Docs(
            {**self.requests, **other.requests},
            {**self.responses, **other.responses},
            {**self.queries, **other.queries},
            (*self.models, *other.models),
        )


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


def _parameters(op: Operation, surface: Surface | None, path: str, docs: Docs) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(path)
    ]
    params += [
        {"name": name, "in": "query", "schema": schema}
        for name, schema in docs.queries.get(op.name, {}).items()
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


def _responses(op: Operation, docs: Docs) -> dict[str, Any]:
    # An operation not yet described still gets a 200 without a shape (a test asks for its entry).
    success = docs.responses.get(op.name, Success((200,), None))
    responses: dict[str, Any] = {}
    for status in success.statuses:
        responses[str(status)] = {"description": "Success"}
        if success.schema is not None and status != 204:
            responses[str(status)]["content"] = {
                media_type: {"schema": success.schema if media_type == JSON else {"type": "string"}}
                for media_type in success.media_types
            }
    responses["default"] = {
        "description": "An error, in the surface's envelope",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return responses


def _operation(
    op: Operation, surface: Surface | None, path: str, operation_id: str, docs: Docs
) -> dict[str, Any]:
    doc = (op.handler.__doc__ or "").strip().splitlines()
    entry: dict[str, Any] = {
        "operationId": operation_id,
        "summary": op.name.replace("_", " "),
        "tags": [_TAGS[surface]],
        "parameters": _parameters(op, surface, path, docs),
        "security": _security(op, surface),
        "responses": _responses(op, docs),
        "x-emulator-access": op.access.value,
        "x-emulator-family": op.family.value,
    }
    body = docs.requests.get(op.name)
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


def document(operations: Iterable[Operation], docs: Docs) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for op in operations:
        for surface, path in op.paths:
            full = (surface.prefix if surface else "") + path
            operation_id = op.name if surface is None else f"{op.name}_{surface.value}"
            while operation_id in used:  # the same operation at a second path on one surface
                operation_id += "_alt"
            used.add(operation_id)
            paths.setdefault(full, {})[op.method.lower()] = _operation(op, surface, path, operation_id, docs)
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
            "schemas": {"Error": _ERROR, **model_schemas(docs.models)},
        },
    }

"""What the deployments take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from emulator.http.openapi import (
    INTEGER,
    OBJECT,
    STRING,
    Body,
    Docs,
    Success,
    deleted,
    enum,
    listing,
    obj,
    typed,
)

_DEPLOYMENT = typed("deployment", "id", "model", "status", id=STRING, model=STRING, status=STRING)
_EMULATED_DEPLOYMENT = typed(None, "name", "model", "status", name=STRING, model=STRING, status=STRING)

DOCS = Docs(
    requests={
        "create_deployment": Body(
            obj(
                ("model", "scale_settings"),
                model=STRING,
                scale_settings=obj(("scale_type",), scale_type=enum("standard", "manual"), capacity=INTEGER),
            )
        ),
        "update_deployment": Body(
            obj(model=STRING, scale_settings=obj(("scale_type",), scale_type=STRING, capacity=INTEGER))
        ),
        "misplaced_completion": Body(OBJECT, required=False),
        "emulator_create_deployment": Body(
            obj(
                ("name", "model"),
                name={"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
                model=STRING,
                version=STRING,
                settings=OBJECT,
            )
        ),
    },
    responses={
        "list_deployments": Success((200,), listing(_DEPLOYMENT)),
        "create_deployment": Success((201,), _DEPLOYMENT),
        "get_deployment": Success((200,), _DEPLOYMENT),
        "update_deployment": Success((200,), _DEPLOYMENT),
        "delete_deployment": Success((204,), None),
        "misplaced_completion": Success((), None),
        "emulator_list_deployments": Success((200,), listing(_EMULATED_DEPLOYMENT)),
        "emulator_create_deployment": Success((201,), _EMULATED_DEPLOYMENT),
        "emulator_get_deployment": Success((200,), _EMULATED_DEPLOYMENT),
        "emulator_delete_deployment": Success((200,), deleted("deployment", "name")),
    },
)

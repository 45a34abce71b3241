"""What the the emulator's own routes take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from typing import Any

from emulator.control.api import RESETTABLE
from emulator.http.openapi import (
    ARRAY,
    BOOLEAN,
    INTEGER,
    NUMBER,
    OBJECT,
    STRING,
    Body,
    Docs,
    Success,
    array,
    obj,
    typed,
)

_RESETTABLE: dict[str, Any] = {
    "store_quota_bytes": {"type": "integer", "minimum": 0},
    "max_file_bytes": {"type": "integer", "minimum": 0},
    "clock_start": NUMBER,
    "id_seed": INTEGER,
    "lenient_api_version": BOOLEAN,
    "deployments": array(OBJECT),
    "fine_tuning_speed": {"type": "number", "exclusiveMinimum": 0},
    "fine_tuning_concurrency": {"type": "integer", "minimum": 1},
    "distill_files_downloadable": BOOLEAN,
}
_RULE = obj(
    match=STRING,
    regex=STRING,
    deployment=STRING,
    times={"type": "integer", "minimum": 1},
    reply={},
    replies=array({}),
)
assert set(_RESETTABLE) == RESETTABLE

DOCS = Docs(
    requests={
        "reset": Body(obj(closed=True, **_RESETTABLE), required=False),
        "advance_clock": Body(obj(("seconds",), seconds={"type": "number", "minimum": 0})),
        "add_scripts": Body(
            {"anyOf": [obj(("rules",), closed=True, rules=array(_RULE)), _RULE, array(_RULE)]}
        ),
    },
    responses={
        "health": Success((200,), typed(None, "status", "version", status=STRING, version=STRING)),
        "reset": Success((200,), typed(None, "status", "now", now=NUMBER)),
        "get_clock": Success((200,), typed(None, "now", now=NUMBER)),
        "settle_jobs": Success((200,), typed(None, "now", "advanced", now=NUMBER, advanced=NUMBER)),
        "advance_clock": Success((200,), typed(None, "now", now=NUMBER)),
        "get_state": Success(
            (200,),
            typed(
                None,
                "stored_completions",
                "deployments",
                "clock",
                stored_completions=typed(
                    None, "count", "bytes_used", "bytes_limit", count=INTEGER, bytes_used=INTEGER
                ),
                deployments=ARRAY,
                clock=OBJECT,
            ),
        ),
        "add_scripts": Success((201,), typed(None, "ids", ids=array(STRING))),
        "list_scripts": Success((200,), typed(None, "rules", rules=ARRAY)),
        "clear_scripts": Success((200,), typed(None, "deleted", deleted=INTEGER)),
        "get_openapi": Success((200,), typed(None, "openapi", "info", "paths", paths=OBJECT)),
    },
)

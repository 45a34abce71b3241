"""What `/_emulator/faults` takes and answers, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from typing import Any

from emulator.http.openapi import (
    BOOLEAN,
    INTEGER,
    OBJECT,
    STRING,
    Body,
    Docs,
    Success,
    array,
    enum,
    listing,
    obj,
    typed,
)

_FAULT_RULE: dict[str, Any] = obj(
    ("fault",),
    closed=True,
    match=obj(
        closed=True,
        deployment=STRING,
        model=STRING,
        route=STRING,
        method=enum("GET", "POST", "PATCH", "DELETE"),
        surface=enum("azure", "azure_v1", "openai"),
    ),
    fault=obj(
        closed=True,
        status={"type": "integer", "minimum": 400, "maximum": 599},
        content_filter=enum("hate", "sexual", "violence", "self_harm", "jailbreak"),
        reset=BOOLEAN,
        cut_after_chunks={"type": "integer", "minimum": 0},
        stall_seconds={"type": "number", "exclusiveMinimum": 0, "maximum": 86400},
        retry_after_seconds={"type": "integer", "minimum": 0, "maximum": 3600},
    ),
    count={"type": "integer", "minimum": 1},
    probability={"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    seed={"type": "integer", "minimum": 0},
)

DOCS = Docs(
    requests={
        "add_faults": Body(
            {"anyOf": [obj(("rules",), closed=True, rules=array(_FAULT_RULE, minItems=1)), _FAULT_RULE]}
        ),
    },
    responses={
        "add_faults": Success((201,), OBJECT),
        "list_faults": Success((200,), listing()),
        "delete_fault": Success(
            (200,), typed("emulator.fault.deleted", "id", "deleted", deleted={"const": True})
        ),
        "clear_faults": Success((200,), typed(None, "deleted", deleted=INTEGER)),
    },
)

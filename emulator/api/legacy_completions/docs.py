"""What the legacy text completions take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from emulator.http.openapi import ARRAY, INTEGER, STRING, Body, Docs, Success, array, obj, typed

_STOP = {"anyOf": [STRING, array(STRING, maxItems=4)]}

DOCS = Docs(
    requests={
        "create_completion": Body(
            obj(
                ("prompt",),
                prompt={"anyOf": [STRING, array(STRING, minItems=1)]},
                model=STRING,
                max_tokens={"type": "integer", "minimum": 0},
                temperature={"type": "number", "minimum": 0},
                top_p={"type": "number", "minimum": 0},
                n={"type": "integer", "minimum": 1},
                seed=INTEGER,
                stop=_STOP,
            )
        ),
    },
    responses={
        "create_completion": Success(
            (200,), typed("text_completion", "id", "created", "model", "choices", choices=ARRAY)
        ),
    },
)

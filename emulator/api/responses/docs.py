"""What the Responses operations take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from emulator.api.responses.schemas import CreateResponseRequest, InputTokensRequest
from emulator.http.openapi import (
    ARRAY,
    BOOLEAN,
    EVENT_STREAM,
    INTEGER,
    JSON,
    PAGE,
    STRING,
    Body,
    Docs,
    Success,
    deleted,
    listing,
    model_ref,
    typed,
)

_RESPONSE = typed("response", "id", "created_at", "model", "status", "output", id=STRING, output=ARRAY)

DOCS = Docs(
    requests={
        "create_response": Body(model_ref(CreateResponseRequest)),
        "count_response_input_tokens": Body(model_ref(InputTokensRequest)),
    },
    responses={
        "create_response": Success((200,), _RESPONSE, (JSON, EVENT_STREAM)),
        "retrieve_response": Success((200,), _RESPONSE, (JSON, EVENT_STREAM)),
        "delete_response": Success((200,), deleted("response.deleted", "id")),
        "list_response_input_items": Success((200,), listing()),
        "cancel_response": Success((200,), _RESPONSE),
        "count_response_input_tokens": Success(
            (200,), typed("response.input_tokens", "input_tokens", input_tokens=INTEGER)
        ),
    },
    queries={
        "list_response_input_items": PAGE,
        "retrieve_response": {"stream": BOOLEAN, "starting_after": {"type": "integer", "minimum": -1}},
    },
    models=(CreateResponseRequest, InputTokensRequest),
)

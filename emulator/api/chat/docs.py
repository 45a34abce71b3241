"""What the chat completions and stored completions take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from emulator.api.chat.schemas import ChatCompletionRequest
from emulator.api.chat.seeding import SeedStoredCompletions
from emulator.api.chat.stored_schemas import UpdateStoredCompletionRequest
from emulator.http.openapi import (
    ARRAY,
    EVENT_STREAM,
    INT64,
    INTEGER,
    JSON,
    PAGE,
    STRING,
    Body,
    Docs,
    Success,
    array,
    deleted,
    listing,
    model_ref,
    typed,
)

_COMPLETION = typed("chat.completion", "id", "created", "model", "choices", id=STRING, choices=ARRAY)

DOCS = Docs(
    requests={
        "create_chat_completion": Body(model_ref(ChatCompletionRequest)),
        "update_chat_completion": Body(model_ref(UpdateStoredCompletionRequest)),
        "seed_stored_completions": Body(model_ref(SeedStoredCompletions)),
    },
    responses={
        "create_chat_completion": Success((200,), _COMPLETION, (JSON, EVENT_STREAM)),
        "list_chat_completions": Success((200,), listing(_COMPLETION)),
        "retrieve_chat_completion": Success((200,), _COMPLETION),
        "update_chat_completion": Success((200,), _COMPLETION),
        "delete_chat_completion": Success((200,), deleted("chat.completion.deleted", "id")),
        "list_chat_completion_messages": Success((200,), listing()),
        "seed_stored_completions": Success(
            (200,), typed(None, "ids", "bytes_used", "bytes_limit", ids=array(STRING), bytes_used=INTEGER)
        ),
    },
    queries={
        "list_chat_completions": {**PAGE, "model": STRING, "created_after": INT64, "created_before": INT64},
        "list_chat_completion_messages": PAGE,
    },
    models=(ChatCompletionRequest, UpdateStoredCompletionRequest, SeedStoredCompletions),
)

"""What the models take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from emulator.http.openapi import STRING, Docs, Success, deleted, listing, typed

_MODEL = typed("model", "id", id=STRING)

DOCS = Docs(
    responses={
        "list_models": Success((200,), listing(_MODEL)),
        "retrieve_model": Success((200,), _MODEL),
        "delete_model": Success((200,), deleted("model", "id")),
    },
)

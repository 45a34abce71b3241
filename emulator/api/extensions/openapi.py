"""`GET /_emulator/openapi.json`: the emulator's own OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from emulator.http.openapi import Docs, document
from emulator.http.routing import Access, Call, Operation, json_response

PATH = "/_emulator/openapi.json"
_documents: dict[int, dict[str, Any]] = {}


async def get_openapi(call: Call) -> Response:
    """The emulator's own OpenAPI document: every route on every surface, extensions marked. Written once
    per set of operations (the app's, from the registry), which live as long as the process."""
    operations: tuple[Operation, ...] = call.request.app.state.operations
    docs: Docs = call.request.app.state.docs
    if id(operations) not in _documents:
        _documents[id(operations)] = document(operations, docs)
    return json_response(_documents[id(operations)])


OPERATIONS = (
    Operation("get_openapi", "GET", ((None, PATH),), get_openapi, Access.READ, extension=True, public=True),
)

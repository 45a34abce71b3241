"""What the files take and answer, for the OpenAPI document (emulator/http/openapi.py)."""

from __future__ import annotations

from typing import Any

from emulator.http.openapi import (
    INTEGER,
    MULTIPART,
    PAGE,
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

_EXPIRES_AFTER_FIELDS: dict[str, Any] = {
    "expires_after[anchor]": enum("created_at"),
    "expires_after[seconds]": INTEGER,
}
_FILE = typed("file", "id", "bytes", "filename", "purpose", id=STRING, filename=STRING, purpose=STRING)
_TEXT = {"type": "string"}

DOCS = Docs(
    requests={
        "create_file": Body(
            obj(
                ("file", "purpose"),
                file={"type": "string", "format": "binary"},
                purpose=STRING,
                **_EXPIRES_AFTER_FIELDS,
            ),
            MULTIPART,
        ),
        "import_file": Body(
            obj(
                ("purpose", "filename", "content_url"),
                purpose=STRING,
                filename=STRING,
                content_url=STRING,
                expires_after=obj(anchor=enum("created_at"), seconds=INTEGER),
            )
        ),
    },
    responses={
        "create_file": Success((200, 201), _FILE),
        "list_files": Success((200,), listing(_FILE)),
        "import_file": Success((200, 201), _FILE),
        "retrieve_file": Success((200,), _FILE),
        "file_content": Success((200,), _TEXT, ("application/octet-stream", "text/csv")),
        "delete_file": Success((200, 204), deleted("file", "id")),
    },
    queries={
        "list_files": {**PAGE, "purpose": STRING},
    },
)

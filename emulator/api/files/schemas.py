"""File request bodies sent as JSON: the import of a file from a URL.

`purpose` is not typed here: the purposes allowed depend on the surface and api-version, and the route
checks it as an upload's (emulator/api/files/routes.py::_check_purpose), before the body's other fields.
"""

from __future__ import annotations

import urllib.parse
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel

from emulator.http.validation import NON_EMPTY, Text, object_or, refuse


def _is_url(url: str) -> str:
    if not urllib.parse.urlsplit(url).scheme:
        raise refuse(f"Invalid 'content_url': '{url}' is not a URL.")
    return url


class ImportFile(BaseModel):
    """`POST /files/import`: a file fetched from `content_url` and stored as if uploaded."""

    purpose: Any = None
    filename: Text
    content_url: Annotated[str, AfterValidator(_is_url), NON_EMPTY]
    expires_after: (
        Annotated[dict[str, Any], object_or("Invalid 'expires_after': expected an object.", "invalid_value")]
        | None
    ) = None

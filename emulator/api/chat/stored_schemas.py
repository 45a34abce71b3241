"""Stored-completion request bodies: the metadata update."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict

from emulator.http.validation import reword


class UpdateStoredCompletionRequest(BaseModel):
    """`POST /chat/completions/{id}`: new metadata pairs, merged into the stored ones (the limits are
    checked on the merged metadata, when it is stored). OpenAI requires `metadata`; Azure reads a body
    without it as no change, so whether it was sent is `model_fields_set`'s to say."""

    model_config = ConfigDict(extra="forbid")

    metadata: (
        Annotated[
            dict[str, str],
            reword(
                "Invalid 'metadata': expected an object of string keys and string values, or null.",
                "invalid_type",
            ),
        ]
        | None
    ) = None

"""Emulator-only seeding: stored completions made elsewhere (a file, a recording) loaded as they are.

`POST /_emulator/stored_completions` takes `{"completions": [...]}`, each item a stored completion as
retrieve and list return it plus its `input_messages`, and keeps its id, `created`, `model`,
`metadata`, `usage` and every other field. The batch is stored whole or not at all, within the quota.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response

from emulator.api.chat.schemas import Message
from emulator.control.api import SEED_PATH as PATH
from emulator.errors import Conflict, QuotaExceeded
from emulator.http.fields import check_metadata
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_body
from emulator.resource.completions import DuplicateCompletionId, QuotaExceededError, StoredCompletion

# The fields kept beside the stored record rather than in it.
_APART = ("metadata", "input_messages")


class SeededCompletion(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    created: int = Field(ge=-(2**63), le=2**63 - 1)  # SQLite's INTEGER
    model: str = Field(min_length=1)
    choices: list[dict[str, Any]]
    metadata: dict[str, str] | None = None
    input_messages: list[Message]

    @field_validator("metadata")
    @classmethod
    def _metadata_limits(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        check_metadata(value)
        return value


class SeedStoredCompletions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completions: list[SeededCompletion]


def _stored(raw: dict[str, Any], seeded: SeededCompletion) -> StoredCompletion:
    record = {k: v for k, v in raw.items() if k not in _APART}
    record.setdefault("object", "chat.completion")
    return StoredCompletion.encode(
        seeded.id, seeded.created, seeded.model, seeded.metadata or {}, record, raw["input_messages"]
    )


async def seed_stored_completions(call: Call) -> Response:
    request, sent = parse_body(SeedStoredCompletions, await call.body())
    batch = [_stored(raw, item) for raw, item in zip(sent["completions"], request.completions, strict=True)]
    ids = [c.id for c in batch]
    repeated = next((i for i, c in enumerate(ids) if c in ids[:i]), None)
    if repeated is not None:
        raise Conflict(
            f"Completion id '{ids[repeated]}' appears twice in this request; each stored completion needs "
            "its own id.",
            param=f"completions[{repeated}].id",
        )
    try:
        await call.runtime.completions.import_completions(batch)
    except QuotaExceededError as exc:
        raise QuotaExceeded(
            f"Stored completions quota exceeded: {exc.used} of {exc.limit} bytes are in use and these "
            f"{len(batch)} completions need {exc.needed}. Nothing was stored; seed fewer or raise the quota.",
            param="completions",
        ) from None
    except DuplicateCompletionId as exc:
        raise Conflict(
            f"A stored completion with id '{exc.completion_id}' already exists. Delete it first, or "
            "reset the emulator.",
            param=f"completions[{ids.index(exc.completion_id)}].id",
        ) from None
    used, limit = await call.runtime.completions.usage()
    return json_response({"ids": ids, "bytes_used": used, "bytes_limit": limit})


OPERATIONS = (
    Operation(
        "seed_stored_completions",
        "POST",
        ((None, PATH),),
        seed_stored_completions,
        Access.WRITE,
        extension=True,
    ),
)

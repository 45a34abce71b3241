"""Which stored completions an emulator action (Evaluate, Distill) works on: the stored-completions
list's filters, explicit ids and a limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator

from emulator.db.paging import PageRequest
from emulator.errors import InvalidRequest
from emulator.http.fields import Int64, Metadata, at_least_one
from emulator.http.openapi import INT64, METADATA, STRING, array
from emulator.http.validation import Closed, reword
from emulator.resource.completions import CompletionFilter, StoredCompletion
from emulator.runtime import Runtime


class StoredFilters(Closed):
    """The stored completions an action works on: the list's filters, explicit `ids` and a `limit`."""

    metadata: Metadata | None = None
    created_after: Int64 | None = None
    created_before: Int64 | None = None
    limit: Annotated[int, AfterValidator(at_least_one)] | None = None
    ids: (
        Annotated[
            list[str], reword("Invalid 'ids': expected an array of stored completion ids.", only="inside")
        ]
        | None
    ) = None

    def filters(self, model: str | None) -> dict[str, Any]:
        """The filters as the selection reads them (and as a refusal describes them)."""
        return {
            "type": "stored_completions",
            "metadata": self.metadata,
            "model": model,
            "created_after": self.created_after,
            "created_before": self.created_before,
            "limit": self.limit,
            "ids": self.ids,
        }


async def stored_completions(
    runtime: Runtime, metadata: Mapping[str, str], source: Mapping[str, Any]
) -> list[StoredCompletion]:
    """Stored completions matching `metadata` and a source's filters (model, created range, limit),
    newest first."""
    model = source.get("model")
    if model is not None:
        # 'gpt-4o' or a deployment name selects what that deployment stored ('gpt-4o-2024-08-06').
        deployment = await runtime.deployments.for_model(model)
        model = deployment.model_name if deployment is not None else model
    where = CompletionFilter(metadata, model, source.get("created_after"), source.get("created_before"))
    limit = source.get("limit")
    found: list[StoredCompletion] = []
    after = None
    while limit is None or len(found) < limit:
        size = 100 if limit is None else min(100, limit - len(found))
        page = await runtime.completions.list(
            where, PageRequest(size, "desc", after), with_total=False, strict_cursor=False
        )
        found += page.items
        if not page.has_more or not page.items:
            break
        after = page.items[-1].id
    return found


def describe(filters: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in filters.items() if v is not None) or "none"


async def selected(runtime: Runtime, filters: dict[str, Any]) -> list[StoredCompletion]:
    """The stored completions `filters` choose, newest first (or in the order of explicit `ids`)."""
    ids = filters["ids"]
    if ids is None:
        return await stored_completions(runtime, filters["metadata"] or {}, filters)
    unlimited = {**filters, "limit": None}
    matching = {s.id: s for s in await stored_completions(runtime, filters["metadata"] or {}, unlimited)}
    missing = [i for i in ids if await runtime.completions.get(i) is None]
    if missing:
        raise InvalidRequest(f"Invalid 'ids': no stored completion with id '{missing[0]}'.", param="ids")
    chosen = [matching[i] for i in ids if i in matching]
    return chosen[: filters["limit"]] if filters["limit"] else chosen


# The filters as the OpenAPI document describes them (each action's docs.py takes those its request has).
FILTERS: dict[str, Any] = {
    "metadata": METADATA,
    "created_after": INT64,
    "created_before": INT64,
    "ids": array(STRING),
    "limit": {**INT64, "minimum": 1},
}

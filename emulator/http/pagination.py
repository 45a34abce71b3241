"""Cursor paging as the SDK consumes it: `after` is an element id, `has_more` says whether to go on."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from emulator.db.paging import ORDERS, Order, PageRequest
from emulator.errors import InvalidRequest


def parse_page(
    query: Mapping[str, str], *, default_limit: int, max_limit: int, default_order: Order = "asc"
) -> PageRequest:
    raw_limit = query.get("limit")
    limit = default_limit
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise InvalidRequest(
                f"Invalid 'limit': expected an integer, but got '{raw_limit}' instead.",
                param="limit",
                code="invalid_type",
            ) from None
        if limit < 1:
            raise InvalidRequest(
                f"Invalid 'limit': integer below minimum value. Expected a value >= 1, "
                f"but got {limit} instead.",
                param="limit",
                code="integer_below_min_value",
            )
        limit = min(limit, max_limit)
    raw_order = query.get("order", default_order)
    order = ORDERS.get(raw_order)
    if order is None:
        raise InvalidRequest(
            f"Invalid value: '{raw_order}'. Supported values are: 'asc' and 'desc'.", param="order"
        )
    after = query.get("after") or None
    return PageRequest(limit=limit, order=order, after=after)


# OpenAI documents its lists in this order; seed 001 shows Azure's stored-completion lists, the ones with a
# `total`, in the other.
OPENAI_LIST_ORDER = ("object", "data", "first_id", "last_id", "has_more")
AZURE_TOTAL_LIST_ORDER = ("data", "has_more", "object", "total", "first_id", "last_id")


def list_envelope(
    data: Sequence[Mapping[str, Any]], has_more: bool, *, total: int | None = None, ids: bool = True
) -> dict[str, Any]:
    """The list body; with `total` (Azure's stored completions and their messages) in seed 001's order."""
    body: dict[str, Any] = {"object": "list", "data": list(data)}
    if ids:
        body["first_id"] = data[0]["id"] if data else None
        body["last_id"] = data[-1]["id"] if data else None
    body["has_more"] = has_more
    if total is not None:
        body["total"] = total
        return {key: body[key] for key in AZURE_TOTAL_LIST_ORDER if key in body}
    return body


def spliced_list(
    bodies: Sequence[str], first_id: str | None, last_id: str | None, has_more: bool, total: int | None
) -> str:
    """`list_envelope` as JSON text, for items already JSON text: spliced, not decoded and encoded again."""
    fields = {
        "object": '"list"',
        "data": "[" + ",".join(bodies) + "]",
        "first_id": json.dumps(first_id),
        "last_id": json.dumps(last_id),
        "has_more": json.dumps(has_more),
    }
    order: tuple[str, ...] = OPENAI_LIST_ORDER
    if total is not None:
        fields["total"] = str(int(total))
        order = AZURE_TOTAL_LIST_ORDER
    return "{" + ",".join(f'"{key}":{fields[key]}' for key in order) + "}"


def slice_after(
    items: Sequence[Mapping[str, Any]], after: str | None, limit: int
) -> tuple[list[Mapping[str, Any]], bool] | None:
    """A page of a list already in order: the `limit` items past the one with id `after`, and whether
    more remain. None when `after` names no item (the caller decides: 404 or an empty page)."""
    start = 0
    if after is not None:
        position = next((i for i, item in enumerate(items) if item["id"] == after), None)
        if position is None:
            return None
        start = position + 1
    rest = items[start:]
    return list(rest[:limit]), len(rest) > limit


def bracket_map(query_items: Sequence[tuple[str, str]], name: str) -> dict[str, str]:
    """`metadata[a]=1&metadata[b]=2` → {"a": "1", "b": "2"}, as the SDK encodes query objects."""
    prefix = name + "["
    found: dict[str, str] = {}
    for key, value in query_items:
        if key.startswith(prefix) and key.endswith("]"):
            found[key[len(prefix) : -1]] = value
    return found

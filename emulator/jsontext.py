"""JSON text as the emulator writes and reads it: compact, UTF-8, the same bytes for the same value.

orjson writes it several times faster than the standard library, and every request writes a few
documents (the answer, the stored record, the request's digest). The few values orjson refuses
(integers beyond 64 bits, text holding half a surrogate pair, keys that are not strings) are
written by `json` instead, which gives the same text but for exponents ("1e-07" for "1e-7").
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def compact(value: Any) -> str:
    """`value` as compact JSON, non-ASCII characters written as themselves."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def compact_bytes(value: Any) -> bytes:
    """`compact(value)`, UTF-8 encoded; text that cannot be encoded raises UnicodeEncodeError."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def canonical(value: Any) -> str:
    """`value` as compact JSON with every object's keys sorted: one text per value, for digests."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        # ASCII escapes here keep half a surrogate pair encodable, as the digest needs.
        return json.dumps(value, sort_keys=True, separators=(",", ":"))


# Every digit written as a 9, so that one substring test finds a run of 19 digits or more.
_DIGITS_AS_NINES = bytes.maketrans(b"012345678", b"999999999")
_LONG_DIGIT_RUN = b"9" * 19
UNREAD = object()


def read_exactly(raw: bytes) -> Any:
    """The value of the UTF-8 JSON text `raw` as Python's `json` reads it, read by orjson, several times
    faster; UNREAD when orjson cannot promise the same value, and `json` must read it instead.

    orjson refuses what `json` reports or reads leniently (other encodings, a byte-order mark, half a
    surrogate pair, NaN, overflowing exponents), so those come back UNREAD. The one value it reads
    differently without refusing is an integer beyond 64 bits, which it makes a float: text holding
    a run of 19 digits or more is left to `json` whole."""
    if _LONG_DIGIT_RUN in raw.translate(_DIGITS_AS_NINES):
        return UNREAD
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return UNREAD


# Objects and arrays inside one another, the top-level value counting as one: deeper JSON is refused
# before anything walks it, since readers and writers that recurse (the standard library's among them)
# fail on a few hundred levels, and no request the API defines needs more than a few dozen.
MAX_DEPTH = 64


def too_deep(raw: bytes, value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `value`, read from the JSON text `raw`, nests deeper than `limit`. Text with no more
    brackets than the limit cannot, and is answered by two counts rather than a walk."""
    return raw.count(b"[") + raw.count(b"{") > limit and depth_exceeds(value, limit)


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` holds objects and arrays more than `limit` levels deep; walked without recursion."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if type(item) is dict else item if type(item) is list else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False

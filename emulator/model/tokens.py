"""Token counting and truncation.

The pieces follow the shape of GPT byte-pair pre-tokenisation (a leading space joins the word after
it; long words split), so counts land close to the real tokenizer's and stay consistent with the text:
the completion's token count is exactly the number of pieces of its content.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PIECE = re.compile(r"'(?:s|t|re|ve|m|ll|d)| ?[A-Za-z]+| ?\d{1,3}| ?[^\sA-Za-z\d]+|\s+(?!\S)|\s+")
_MAX_WORD = 6


def pieces(text: str) -> list[str]:
    out: list[str] = []
    for match in _PIECE.finditer(text):
        piece = match.group(0)
        core = piece.lstrip(" ")
        if len(core) <= _MAX_WORD or not core.isalpha():
            out.append(piece)
            continue
        lead = piece[: len(piece) - len(core)]
        chunks = [core[i : i + _MAX_WORD] for i in range(0, len(core), _MAX_WORD)]
        out.append(lead + chunks[0])
        out.extend(chunks[1:])
    return out


def count(text: str) -> int:
    return len(pieces(text))


def truncate(text: str, limit: int) -> str:
    return "".join(pieces(text)[:limit])


def count_messages(messages: Iterable[dict[str, object]]) -> int:
    """Prompt tokens as the chat format bills them: 3 per message, its fields, and 3 to prime the reply."""
    total = 3
    for message in messages:
        total += 3
        for key in ("role", "content", "name"):
            value = message.get(key)
            if isinstance(value, str):
                total += count(value)
            elif isinstance(value, list):
                for part in value:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        total += count(part["text"])
                    elif isinstance(part, dict) and part.get("type") == "image_url":
                        total += 85
        if message.get("name"):
            total += 1
        for call in message.get("tool_calls") or []:  # type: ignore[attr-defined]
            if isinstance(call, dict):
                function = call.get("function") or {}
                total += count(str(function.get("name", ""))) + count(str(function.get("arguments", ""))) + 3
    return total

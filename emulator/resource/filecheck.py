"""Validation of `fine-tune` training files: JSON Lines in the chat or the prompt/completion format.

Reads the file one line at a time, so a 200 MB upload is checked without holding it in memory. The
first problem found is reported with its 1-based line number; a valid file yields its example and
token counts, which become the file's `statistics`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from emulator import jsontext
from emulator.model.tokens import count, count_messages

BOM = b"\xef\xbb\xbf"
# Statistics are counted before any job names a base model: with the current models' tokenizer.
TOKENIZER_MODEL = "gpt-4o"
ROLES = ("system", "developer", "user", "assistant", "tool", "function")


@dataclass(frozen=True)
class FileCheck:
    examples: int
    tokens: int
    error: str | None = None  # what is wrong, naming the line
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _LineError(Exception):
    pass


_TOO_DEEP = object()  # a line nested past what the standard library's reader can follow


# A conversation bills a fixed priming plus a cost per message, so each message is counted on its own
# and the plain ones are remembered: training sets repeat their system message on every line.
_PRIMING = count_messages([], TOKENIZER_MODEL)
_CACHE_SIZE = 4096


@lru_cache(maxsize=_CACHE_SIZE)
def _plain_message_tokens(role: str, content: str) -> int:
    return count_messages([{"role": role, "content": content}], TOKENIZER_MODEL) - _PRIMING


def _message_tokens(message: dict[str, Any]) -> int:
    if isinstance(message.get("content"), str) and message.keys() <= {"role", "content", "weight"}:
        return _plain_message_tokens(message["role"], message["content"])
    return count_messages([message], TOKENIZER_MODEL) - _PRIMING


def _check_messages(messages: Any) -> int:
    if not isinstance(messages, list) or not messages:
        raise _LineError("'messages' must be a non-empty array of message objects")
    assistant_turns = 0
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise _LineError(f"{where} must be an object with 'role' and 'content'")
        role = message.get("role")
        if role not in ROLES:
            raise _LineError(f"{where}.role is {json.dumps(role)}; expected one of {', '.join(ROLES)}")
        content = message.get("content")
        if content is None and not (
            role == "assistant" and (message.get("tool_calls") or message.get("function_call"))
        ):
            raise _LineError(f"{where} ({role}) has no 'content'")
        if content is not None and not isinstance(content, (str, list)):
            raise _LineError(f"{where}.content must be a string or an array of content parts")
        if "weight" in message and message["weight"] not in (0, 1):
            raise _LineError(f"{where}.weight must be 0 or 1")
        assistant_turns += role == "assistant"
    if not assistant_turns:
        raise _LineError("the conversation has no assistant message to learn from")
    return _PRIMING + sum(_message_tokens(m) for m in messages)


def _check_example(example: Any) -> int:
    if not isinstance(example, dict):
        raise _LineError("each line must be a JSON object")
    if "messages" in example:
        return _check_messages(example["messages"])
    if "prompt" in example or "completion" in example:
        for key in ("prompt", "completion"):
            if not isinstance(example.get(key), str):
                raise _LineError(f"'{key}' must be a string in the prompt/completion format")
        return count(example["prompt"], TOKENIZER_MODEL) + count(example["completion"], TOKENIZER_MODEL)
    raise _LineError(
        "the object has neither 'messages' (chat format) nor 'prompt' and 'completion' (completion format)"
    )


def check_lines(lines: Any) -> FileCheck:
    """Check an iterable of raw lines (bytes). Pure: the caller decides where the lines come from."""
    examples = tokens = 0
    number = 0
    for number, raw in enumerate(lines, start=1):
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return FileCheck(
                examples, tokens, f"Line {number}: not valid UTF-8 (byte {exc.start + 1}).", number
            )
        if not text.strip():
            continue
        try:
            example = json.loads(text)
        except json.JSONDecodeError as exc:
            return FileCheck(examples, tokens, f"Line {number}: not valid JSON ({exc.msg}).", number)
        except RecursionError:
            example = _TOO_DEEP
        if example is _TOO_DEEP or jsontext.too_deep(raw, example):
            return FileCheck(
                examples,
                tokens,
                f"Line {number}: the JSON nests objects and arrays more than {jsontext.MAX_DEPTH} levels "
                "deep; an example needs far fewer.",
                number,
            )
        try:
            tokens += _check_example(example)
        except _LineError as exc:
            return FileCheck(examples, tokens, f"Line {number}: {exc}.", number)
        examples += 1
    if not examples:
        return FileCheck(0, 0, "The file has no examples: expected one JSON object per line.", number or None)
    return FileCheck(examples, tokens)


def check_file(path: str | Path) -> FileCheck:
    with open(path, "rb") as handle:
        return check_lines(handle)

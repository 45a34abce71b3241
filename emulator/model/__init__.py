"""The deterministic model: a request in, an answer out, depending on nothing but the request."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emulator.model import text, tokens


@dataclass(frozen=True)
class Sampling:
    seed: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    n: int = 1


@dataclass(frozen=True)
class Choice:
    index: int
    content: str
    finish_reason: str
    completion_tokens: int


@dataclass(frozen=True)
class Generation:
    choices: list[Choice]
    prompt_tokens: int

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.choices)


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def request_digest(messages: Sequence[dict[str, Any]], model: str, sampling: Sampling) -> bytes:
    canonical = json.dumps(
        {
            "m": messages,
            "model": model,
            "seed": sampling.seed,
            "t": sampling.temperature,
            "p": sampling.top_p,
            "pp": sampling.presence_penalty,
            "fp": sampling.frequency_penalty,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).digest()


def _apply_limits(content: str, sampling: Sampling, model: str) -> tuple[str, str]:
    finish = "stop"
    cut = min((i for i in (content.find(s) for s in sampling.stop if s) if i >= 0), default=-1)
    if cut >= 0:
        content = content[:cut]
    if sampling.max_tokens is not None and tokens.count(content, model) > sampling.max_tokens:
        content = tokens.truncate(content, sampling.max_tokens, model)
        finish = "length"
    return content, finish


def write_answer(messages: Sequence[dict[str, Any]], digest: bytes, index: int) -> str:
    rng = random.Random(digest + index.to_bytes(4, "big"))
    system = " ".join(message_text(m) for m in messages if m.get("role") in ("system", "developer"))
    users = [message_text(m) for m in messages if m.get("role") == "user"]
    last_user = users[-1] if users else ""
    context = " ".join(users[:-1])
    return text.write(system, last_user, context, rng)


def generate(
    messages: Sequence[dict[str, Any]],
    model: str,
    sampling: Sampling,
    tools: Sequence[dict[str, Any]] | None = None,
) -> Generation:
    digest = request_digest(messages, model, sampling)
    choices = []
    for index in range(sampling.n):
        content, finish = _apply_limits(write_answer(messages, digest, index), sampling, model)
        choices.append(Choice(index, content, finish, tokens.count(content, model)))
    return Generation(choices, tokens.count_messages(messages, model) + tokens.count_tools(tools, model))


def derived_int(digest: bytes, label: str, bits: int = 64) -> int:
    """A signed integer derived from the request, e.g. the seed the service reports when none was sent."""
    value = int.from_bytes(hashlib.sha256(digest + label.encode()).digest()[: bits // 8], "big", signed=True)
    return value


def model_text_pieces(content: str, model: str, per_chunk: int = 3) -> list[str]:
    """How a streamed answer is cut into deltas: a few tokens at a time."""
    parts = tokens.pieces(content, model)
    return ["".join(parts[i : i + per_chunk]) for i in range(0, len(parts), per_chunk)]

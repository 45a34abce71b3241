"""The deterministic model: a request in, an answer out, depending on nothing but the request."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from emulator import jsontext
from emulator.model import logprobs, safety, structured, tokens, tools, writer
from emulator.model.memo import Memo
from emulator.model.scripts import Reply
from emulator.model.tools import ToolCall
from emulator.model.variation import Variation


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
class Shape:
    """What the answer must look like: a format, tools it may call, log probabilities."""

    response_format: dict[str, Any] | None = None
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool = True
    logprobs: bool = False
    top_logprobs: int = 0
    legacy_functions: bool = False  # `functions`/`function_call`: one call, answered as `function_call`

    # The response format as canonical JSON, when the caller has written it already: a schema is the
    # largest part of a structured-output request, and both its strict check and the digest read it.
    response_format_json: str | None = None

    def key(self) -> dict[str, Any]:
        rf = self.response_format_json
        if rf is None and self.response_format is not None:
            rf = canonical_json(self.response_format)
        return {"rf": rf, "tools": self.tools, "tc": self.tool_choice}


# Canonical JSON of values clients send again and again (schemas), found by their repr, which is cheaper
# to make than the sorted JSON itself; a value with its keys in another order is one more entry.
_CANONICAL: Memo[str] = Memo(256)


def canonical_json(value: Any) -> str:
    return _CANONICAL.get(repr(value), jsontext.canonical, value)


@dataclass(frozen=True)
class Choice:
    index: int
    content: str | None
    finish_reason: str
    completion_tokens: int
    tool_calls: tuple[ToolCall, ...] = ()
    logprobs: list[dict[str, Any]] | None = None  # one entry per token of `content`
    filtered: str | None = None  # the content-filter category that stopped the answer
    function_call: bool = False  # the call is rendered in the deprecated `function_call` form


@dataclass(frozen=True)
class Generation:
    choices: list[Choice]
    prompt_tokens: int
    digest: bytes  # the request's digest (request_digest), from which e.g. an unsent seed is derived

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.choices)


@dataclass(frozen=True)
class Answer:
    """What one choice says before limits apply: text, or tool calls."""

    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    filtered: str | None = None


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def request_digest(
    messages: Sequence[dict[str, Any]], model: str, sampling: Sampling, shape: Shape | None = None
) -> bytes:
    canonical = jsontext.canonical(
        {
            **(shape.key() if shape else {}),
            "m": messages,
            "model": model,
            "seed": sampling.seed,
            "t": sampling.temperature,
            "p": sampling.top_p,
            "pp": sampling.presence_penalty,
            "fp": sampling.frequency_penalty,
        }
    )
    return hashlib.sha256(canonical.encode("utf-8")).digest()


def _apply_limits(content: str, sampling: Sampling, model: str) -> tuple[str, str, int]:
    """The content cut at a stop sequence or the token limit, why it ended, and its token count."""
    finish = "stop"
    cut = min((i for i in (content.find(s) for s in sampling.stop if s) if i >= 0), default=-1)
    if cut >= 0:
        content = content[:cut]
    size = tokens.count(content, model)
    if sampling.max_tokens is not None and size > sampling.max_tokens:
        content = tokens.truncate(content, sampling.max_tokens, model)
        return content, "length", tokens.count(content, model)
    return content, finish, size


READ_LIMIT = 16_384  # characters of each part of a conversation the writers read


@dataclass(frozen=True)
class Conversation:
    """The parts of the messages the writers read."""

    system: str
    last_user: str
    context: str

    @classmethod
    def of(cls, messages: Sequence[dict[str, Any]]) -> Conversation:
        system = " ".join(message_text(m) for m in messages if m.get("role") in ("system", "developer"))
        users = [message_text(m) for m in messages if m.get("role") == "user"]
        # The writers read the start of each part: what they make of a long document comes from its
        # opening, and reading all of a prompt that fills a million-token window would take seconds.
        return cls(
            system[:READ_LIMIT], users[-1][:READ_LIMIT] if users else "", " ".join(users[:-1])[:READ_LIMIT]
        )


def _rng(digest: bytes, index: int) -> random.Random:
    return random.Random(digest + index.to_bytes(4, "big"))


def lead_base(
    messages: Sequence[dict[str, Any]], model: str, sampling: Sampling, shape: Shape, digest: bytes
) -> int:
    """Where a request's choices start (see `variation`): the request's hash without its seed, plus the
    seed, so that seeds next to each other lead with different options."""
    if sampling.seed is not None:
        digest = request_digest(messages, model, replace(sampling, seed=None), shape)
    return int.from_bytes(digest[:8], "big") + (sampling.seed or 0)


def compose(
    messages: Sequence[dict[str, Any]], shape: Shape, digest: bytes, index: int, lead: int | None = None
) -> Answer:
    """The deterministic model's answer for one choice; `lead` from `lead_base` (the digest's when None)."""
    talk = Conversation.of(messages)
    rng = _rng(digest, index)
    vary = Variation((int.from_bytes(digest[:8], "big") if lead is None else lead) + index, rng)
    picked = tools.chosen(messages, shape.tools, shape.tool_choice, shape.parallel_tool_calls, talk.last_user)
    if picked:
        vocab = structured.vocabulary(talk.last_user or talk.system)
        return Answer(tool_calls=tuple(tools.calls(shape.tools, picked, vocab, rng, digest, index)))
    kind = (shape.response_format or {}).get("type")
    if kind == "json_schema":
        schema = ((shape.response_format or {}).get("json_schema") or {}).get("schema") or {"type": "object"}
        vocab = structured.vocabulary(talk.last_user or talk.system)
        return Answer(jsontext.compact(structured.instance(schema, vocab, rng)))
    if tools.ends_with_results(messages):
        reply = tools.answer_from_results(messages, talk.last_user, rng)
        if kind == "json_object":
            reply = jsontext.compact({"answer": reply})
    elif kind == "json_object":
        reply = jsontext.compact(writer.json_object(talk.system, talk.last_user, talk.context, vary))
    else:
        reply = writer.write(talk.system, talk.last_user, talk.context, vary)
    filtered = safety.answer_category(messages)
    return Answer(safety.cut(reply), filtered=filtered) if filtered else Answer(reply)


def finish(answer: Answer, index: int, model: str, sampling: Sampling, shape: Shape, digest: bytes) -> Choice:
    """Limits, token counts and log probabilities, the same for every answer however it was made."""
    if answer.tool_calls:
        return _finish_calls(answer.tool_calls, index, model, sampling, shape)
    content, reason, size = _apply_limits(answer.content or "", sampling, model)
    if answer.filtered:
        reason = "content_filter"
    entries = None
    if shape.logprobs:
        entries = logprobs.for_text(content, model, digest + index.to_bytes(4, "big"), shape.top_logprobs)
    return Choice(index, content, reason, size, (), entries, answer.filtered)


def _finish_calls(
    calls: tuple[ToolCall, ...], index: int, model: str, sampling: Sampling, shape: Shape
) -> Choice:
    """Calls cost their name, arguments and framing; a token limit cuts the arguments where it falls
    (leaving them unfinished JSON, as the service does) and drops the calls after it."""
    budget = sampling.max_tokens
    kept: list[ToolCall] = []
    used = 0
    for call in calls:
        overhead = tokens.count(call.name, model) + tokens.TOKENS_PER_MESSAGE
        size = tokens.count(call.arguments, model)
        if budget is not None and used + overhead + size > budget:
            room = max(0, budget - used - overhead)
            kept.append(ToolCall(call.id, call.name, tokens.truncate(call.arguments, room, model)))
            return Choice(index, None, "length", budget, tuple(kept), function_call=shape.legacy_functions)
        kept.append(call)
        used += overhead + size
    reason = "function_call" if shape.legacy_functions else "tool_calls"
    return Choice(index, None, reason, used, tuple(kept), function_call=shape.legacy_functions)


def scripted(
    reply: Reply,
    messages: Sequence[dict[str, Any]],
    model: str,
    sampling: Sampling,
    shape: Shape | None = None,
) -> Generation:
    """A scripted answer, given the same limits, counts and log probabilities as a generated one."""
    shape = shape or Shape()
    digest = request_digest(messages, model, sampling, shape)
    choices = []
    for index in range(sampling.n):
        calls = tuple(
            ToolCall(tools.call_id(digest, index, position), call.name, call.arguments)
            for position, call in enumerate(reply.tool_calls)
        )
        answer = Answer(reply.content if not calls else None, calls, reply.content_filter)
        choices.append(finish(answer, index, model, sampling, shape, digest))
    return Generation(choices, prompt_tokens(messages, model, shape), digest)


def prompt_tokens(messages: Sequence[dict[str, Any]], model: str, shape: Shape) -> int:
    return tokens.count_messages(messages, model) + tokens.count_tools(shape.tools, model)


# Answers already given, by everything that shapes one: tests send the same request again and again,
# across tests and fresh emulators, and an answer is a pure function of its request. Nothing downstream
# changes a Generation, so one is shared by every response that repeats it.
_ANSWERED: Memo[Generation] = Memo(1024)


def generate(
    messages: Sequence[dict[str, Any]], model: str, sampling: Sampling, shape: Shape | None = None
) -> Generation:
    shape = shape or Shape()
    digest = request_digest(messages, model, sampling, shape)
    # The digest covers the messages, the model, the sampling values and the shape's format and tools;
    # the rest of what `finish` reads completes the key.
    key = (
        digest,
        sampling.max_tokens,
        sampling.stop,
        sampling.n,
        shape.parallel_tool_calls,
        shape.legacy_functions,
        shape.logprobs,
        shape.top_logprobs,
    )

    # Log probabilities can run to megabytes an answer: those are made again rather than kept.
    return _ANSWERED.get(key, _answer, messages, model, sampling, shape, digest, keep=not shape.logprobs)


def _answer(
    messages: Sequence[dict[str, Any]], model: str, sampling: Sampling, shape: Shape, digest: bytes
) -> Generation:
    lead = lead_base(messages, model, sampling, shape, digest)
    choices = [
        finish(compose(messages, shape, digest, index, lead), index, model, sampling, shape, digest)
        for index in range(sampling.n)
    ]
    return Generation(choices, prompt_tokens(messages, model, shape), digest)


def derived_int(digest: bytes, label: str, bits: int = 64) -> int:
    """A signed integer derived from the request, e.g. the seed the service reports when none was sent."""
    value = int.from_bytes(hashlib.sha256(digest + label.encode()).digest()[: bits // 8], "big", signed=True)
    return value


def stream_parts(
    choice: Choice, model: str, per_chunk: int = 3
) -> list[tuple[str, list[dict[str, Any]] | None]]:
    """How a streamed answer is cut into deltas: a few tokens at a time, each with its tokens' logprobs."""
    parts: list[tuple[str, list[dict[str, Any]] | None]] = []
    segments = tokens.segments(choice.content or "", model)
    position = 0
    for start in range(0, len(segments), per_chunk):
        group = segments[start : start + per_chunk]
        held = sum(n for _, n in group)
        entries = choice.logprobs[position : position + held] if choice.logprobs is not None else None
        parts.append(("".join(piece for piece, _ in group), entries))
        position += held
    return parts


def stream_fragments(content: str, model: str, per_chunk: int = 3) -> list[str]:
    """Text (e.g. tool-call arguments) cut into deltas of a few tokens."""
    return [piece for piece, _ in stream_parts(Choice(0, content, "stop", 0), model, per_chunk)]

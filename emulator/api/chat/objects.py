"""Chat completion objects: the response as each surface shapes it, the stored record, stream chunks."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from emulator.api.chat.schemas import ChatCompletionRequest
from emulator.model import Choice, Generation, stream_fragments, stream_parts
from emulator.surfaces import Surface

_SAFE = {"filtered": False, "severity": "safe"}
_NOT_DETECTED = {"filtered": False, "detected": False}

# Request fields a stored completion echoes back, and their service defaults.
ECHOED_DEFAULTS: dict[str, Any] = {  # integers, as seed 001's stored completions show them
    "top_p": 1,
    "temperature": 1,
    "presence_penalty": 0,
    "frequency_penalty": 0,
}


def _choice_filter_results() -> dict[str, dict[str, Any]]:
    return {
        "hate": dict(_SAFE),
        "protected_material_code": dict(_NOT_DETECTED),
        "protected_material_text": dict(_NOT_DETECTED),
        "self_harm": dict(_SAFE),
        "sexual": dict(_SAFE),
        "violence": dict(_SAFE),
    }


# Every answer that nothing filtered carries these same results. They are only ever rendered, never
# changed, so one copy serves every response rather than a dozen small dicts built for each.
_CLEAN_PROMPT = [
    {
        "prompt_index": 0,
        "content_filter_results": {
            "hate": dict(_SAFE),
            "jailbreak": dict(_NOT_DETECTED),
            "self_harm": dict(_SAFE),
            "sexual": dict(_SAFE),
            "violence": dict(_SAFE),
        },
    }
]
_CLEAN_CHOICE = _choice_filter_results()


def prompt_filter_results() -> list[dict[str, Any]]:
    """The prompt's filter results: shared, to be rendered and not changed."""
    return _CLEAN_PROMPT


def choice_filter_results(filtered: str | None = None) -> dict[str, Any]:
    """The answer's filter results; `filtered` names the category that stopped it, marked as Azure marks
    it. Unfiltered results are shared, to be rendered and not changed."""
    if filtered not in _CLEAN_CHOICE:
        return _CLEAN_CHOICE
    results = _choice_filter_results()
    marked = results[filtered]
    marked.update({"filtered": True, "detected": True} if "detected" in marked else FILTERED_SEVERITY)
    return results


FILTERED_SEVERITY = {"filtered": True, "severity": "high"}


def logprobs_body(choice: Choice) -> dict[str, Any] | None:
    return None if choice.logprobs is None else {"content": choice.logprobs, "refusal": None}


@functools.lru_cache(maxsize=256)
def system_fingerprint(model_name: str) -> str:
    return "fp_" + hashlib.sha256(model_name.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Completion:
    """One generated completion, independent of the surface that will render it."""

    id: str
    created: int
    model: str  # the versioned model name
    generation: Generation
    request: ChatCompletionRequest
    request_id: str
    seed: int  # the request's seed, or the one the service derived

    def usage(self) -> dict[str, Any]:
        prompt = self.generation.prompt_tokens
        completion = self.generation.completion_tokens
        return {
            "completion_tokens": completion,
            "prompt_tokens": prompt,
            "total_tokens": prompt + completion,
            "completion_tokens_details": {
                "accepted_prediction_tokens": 0,
                "audio_tokens": 0,
                "reasoning_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
            "prompt_tokens_details": {"audio_tokens": 0, "cached_tokens": 0},
        }

    def message(self, choice: Choice, surface: Surface) -> dict[str, Any]:
        message: dict[str, Any] = {"content": choice.content, "refusal": None, "role": "assistant"}
        calls = [call.to_json() for call in choice.tool_calls] or None
        function_call = None
        if calls and choice.function_call:  # the deprecated `functions` form
            function_call, calls = calls[0]["function"], None
        if surface.is_azure:
            message.update({"audio": None, "function_call": function_call, "tool_calls": calls})
        else:
            message["annotations"] = []
            if calls:
                message["tool_calls"] = calls
            if function_call:
                message["function_call"] = function_call
        return message

    def response(self, surface: Surface) -> dict[str, Any]:
        choices: list[dict[str, Any]] = []
        for choice in self.generation.choices:
            item: dict[str, Any] = {
                "finish_reason": choice.finish_reason,
                "index": choice.index,
                "logprobs": logprobs_body(choice),
                "message": self.message(choice, surface),
            }
            if surface.is_azure:
                item["content_filter_results"] = choice_filter_results(choice.filtered)
            choices.append(item)
        body: dict[str, Any] = {
            "id": self.id,
            "choices": choices,
            "created": self.created,
            "model": self.model,
            "object": "chat.completion",
            "service_tier": self.request.service_tier or (None if surface.is_azure else "default"),
            "system_fingerprint": system_fingerprint(self.model),
            "usage": self.usage(),
        }
        if surface.is_azure:
            body["prompt_filter_results"] = prompt_filter_results()
        elif self.request.store:
            body["metadata"] = dict(self.request.metadata or {})
        return body

    def stored_record(self) -> dict[str, Any]:
        """What retrieve and list return (metadata is kept beside it, so updates need not rewrite it)."""
        request = self.request
        choices: list[dict[str, Any]] = [
            {
                "finish_reason": c.finish_reason,
                "index": c.index,
                "logprobs": logprobs_body(c),
                "message": {**self.message(c, Surface.AZURE), "annotations": []},
            }
            for c in self.generation.choices
        ]
        return {
            "id": self.id,
            "choices": choices,
            "created": self.created,
            "model": self.model,
            "object": "chat.completion",
            "service_tier": request.service_tier,
            "system_fingerprint": system_fingerprint(self.model),
            "usage": self.usage(),
            "request_id": self.request_id,
            "seed": self.seed,
            "top_p": _or(request.top_p, "top_p"),
            "temperature": _or(request.temperature, "temperature"),
            "presence_penalty": _or(request.presence_penalty, "presence_penalty"),
            "frequency_penalty": _or(request.frequency_penalty, "frequency_penalty"),
            "tool_choice": request.tool_choice,
            "tools": request.tools,
            "response_format": request.response_format,
            "input_user": request.user,
        }

    def chunks(self, surface: Surface, include_usage: bool) -> Iterator[dict[str, Any]]:
        """The stream: role first, content in small deltas, a finish chunk per choice, then usage."""
        base = {
            "id": self.id,
            "created": self.created,
            "model": self.model,
            "object": "chat.completion.chunk",
            "system_fingerprint": system_fingerprint(self.model),
        }
        if not surface.is_azure:
            base["service_tier"] = self.request.service_tier or "default"
        if include_usage:
            base["usage"] = None
        if surface.is_azure:
            yield {
                "choices": [],
                "created": 0,
                "id": "",
                "model": "",
                "object": "",
                "prompt_filter_results": prompt_filter_results(),
            }
        for choice in self.generation.choices:
            if choice.tool_calls:
                yield from self._tool_call_chunks(base, surface, choice)
                continue
            yield self._chunk(
                base,
                surface,
                choice.index,
                {"role": "assistant", "content": "", "refusal": None},
                None,
                filters=False,
            )
            for piece, entries in stream_parts(choice, self.model):
                chunk = self._chunk(base, surface, choice.index, {"content": piece}, None, filters=True)
                if entries is not None:
                    chunk["choices"][0]["logprobs"] = {"content": entries, "refusal": None}
                yield chunk
            finish = self._chunk(base, surface, choice.index, {}, choice.finish_reason, filters=False)
            if choice.filtered and surface.is_azure:
                finish["choices"][0]["content_filter_results"] = choice_filter_results(choice.filtered)
            yield finish
        if include_usage:
            yield {**base, "choices": [], "usage": self.usage()}

    def _tool_call_chunks(
        self, base: dict[str, Any], surface: Surface, choice: Choice
    ) -> Iterator[dict[str, Any]]:
        """As the service streams calls: each call opens with its id, type, name and empty arguments,
        then its arguments arrive in fragments; the first delta also carries the role."""
        if choice.function_call:
            yield from self._function_call_chunks(base, surface, choice)
            return
        for position, call in enumerate(choice.tool_calls):
            opening: dict[str, Any] = {
                "tool_calls": [
                    {
                        "index": position,
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": ""},
                    }
                ]
            }
            if position == 0:
                opening = {"role": "assistant", "content": None, **opening, "refusal": None}
            yield self._chunk(base, surface, choice.index, opening, None, filters=False)
            for fragment in stream_fragments(call.arguments, self.model):
                delta = {"tool_calls": [{"index": position, "function": {"arguments": fragment}}]}
                yield self._chunk(base, surface, choice.index, delta, None, filters=False)
        yield self._chunk(base, surface, choice.index, {}, choice.finish_reason, filters=False)

    def _function_call_chunks(
        self, base: dict[str, Any], surface: Surface, choice: Choice
    ) -> Iterator[dict[str, Any]]:
        call = choice.tool_calls[0]
        opening = {
            "role": "assistant",
            "content": None,
            "function_call": {"name": call.name, "arguments": ""},
        }
        yield self._chunk(base, surface, choice.index, opening, None, filters=False)
        for fragment in stream_fragments(call.arguments, self.model):
            yield self._chunk(
                base, surface, choice.index, {"function_call": {"arguments": fragment}}, None, filters=False
            )
        yield self._chunk(base, surface, choice.index, {}, choice.finish_reason, filters=False)

    @staticmethod
    def _chunk(
        base: dict[str, Any],
        surface: Surface,
        index: int,
        delta: dict[str, Any],
        finish_reason: str | None,
        *,
        filters: bool,
    ) -> dict[str, Any]:
        choice: dict[str, Any] = {
            "delta": delta,
            "finish_reason": finish_reason,
            "index": index,
            "logprobs": None,
        }
        if surface.is_azure:
            choice["content_filter_results"] = choice_filter_results() if filters else {}
        return {**base, "choices": [choice]}


def _or(value: float | None, name: str) -> float:
    return ECHOED_DEFAULTS[name] if value is None else value

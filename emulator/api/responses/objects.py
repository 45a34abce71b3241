"""The response object as the services shape it: finished, or at a stage of a background run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.api.responses.schemas import CreateResponseRequest
from emulator.api.responses.shape import echoed_text, echoed_tools
from emulator.model import Choice

# Why a response stopped short, by the model's finish reason.
INCOMPLETE_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}


def output_items(choice: Choice, new_id: Callable[[str], str]) -> list[dict[str, Any]]:
    """The answer as output items: a message with one output_text, or one function_call per call."""
    incomplete = choice.finish_reason in INCOMPLETE_REASONS
    status = "incomplete" if incomplete else "completed"
    if choice.tool_calls:
        return [
            {
                "id": new_id("fc_"),
                "type": "function_call",
                "status": status,
                "arguments": call.arguments,
                "call_id": call.id,
                "name": call.name,
            }
            for call in choice.tool_calls
        ]
    text = {
        "type": "output_text",
        "annotations": [],
        "logprobs": choice.logprobs or [],
        "text": choice.content or "",
    }
    return [
        {"id": new_id("msg_"), "type": "message", "status": status, "content": [text], "role": "assistant"}
    ]


def usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


@dataclass(frozen=True)
class Outcome:
    """What the model made of one request."""

    output: list[dict[str, Any]]
    finish_reason: str
    input_tokens: int
    output_tokens: int


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def response_body(
    response_id: str, created: int, model: str, request: CreateResponseRequest, outcome: Outcome
) -> dict[str, Any]:
    """The finished response, every request field echoed as the service echoes it."""
    reason = INCOMPLETE_REASONS.get(outcome.finish_reason)
    body: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": "incomplete" if reason else "completed",
        "background": bool(request.background),
        "completed_at": created,
        "error": None,
        "incomplete_details": {"reason": reason} if reason else None,
        "instructions": request.instructions,
        "max_output_tokens": request.max_output_tokens,
        "max_tool_calls": request.max_tool_calls,
        "model": model,
        "output": outcome.output,
        "parallel_tool_calls": request.parallel_tool_calls is not False,
        "previous_response_id": request.previous_response_id,
        "prompt_cache_key": request.prompt_cache_key,
        "prompt_cache_retention": request.prompt_cache_retention,
        "reasoning": (
            request.reasoning.model_dump() if request.reasoning else {"effort": None, "summary": None}
        ),
        "safety_identifier": request.safety_identifier,
        "service_tier": request.service_tier or "default",
        "store": request.stored,
        "temperature": _or(request.temperature, 1.0),
        "text": echoed_text(request),
        "tool_choice": request.tool_choice if request.tool_choice is not None else "auto",
        "tools": echoed_tools(request),
        "top_logprobs": request.top_logprobs or 0,
        "top_p": _or(request.top_p, 1.0),
        "truncation": request.truncation or "disabled",
        "usage": usage(outcome.input_tokens, outcome.output_tokens),
        "metadata": dict(request.metadata or {}),
    }
    if request.user is not None:  # the documents type it as a string, never null
        body["user"] = request.user
    return body


# Stages before the answer is whole: nothing is output or counted yet (no usage: the documents type it
# as an object, never null).
PENDING = ("queued", "in_progress", "cancelled")


def at_stage(finished: dict[str, Any], status: str) -> dict[str, Any]:
    """The response as it stands at `status`: the finished one, or an earlier or cancelled stage of it."""
    if status not in PENDING:
        return finished
    stage = {**finished, "status": status, "completed_at": None, "incomplete_details": None, "output": []}
    del stage["usage"]
    return stage


def output_text(finished: dict[str, Any]) -> str:
    return "".join(
        part.get("text", "")
        for item in finished["output"]
        if item["type"] == "message"
        for part in item["content"]
    )

"""Input items and stored turns → the chat-style messages the deterministic model reads, and input items
→ the item resources `input_items` lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from emulator.api.responses.schemas import InputItem
from emulator.errors import InvalidRequest

Message = dict[str, Any]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _add_call(messages: list[Message], call: dict[str, Any]) -> None:
    """Calls in a row are one assistant turn, as the chat model reads parallel calls."""
    last = messages[-1] if messages else None
    if last is not None and last["role"] == "assistant" and last.get("tool_calls"):
        last["tool_calls"].append(call)
    else:
        messages.append({"role": "assistant", "content": None, "tool_calls": [call]})


def item_messages(items: Sequence[InputItem]) -> list[Message]:
    messages: list[Message] = []
    for item in items:
        if item.kind == "message":
            content = item.content if isinstance(item.content, str) else _text(item.model_dump()["content"])
            messages.append({"role": item.role, "content": content})
        elif item.kind == "function_call":
            _add_call(messages, _call(item.call_id or "", item.name or "", item.arguments or ""))
        else:
            output = item.output if isinstance(item.output, str) else _text(item.output)
            messages.append({"role": "tool", "tool_call_id": item.call_id, "content": output})
    return messages


def output_messages(output: Sequence[dict[str, Any]]) -> list[Message]:
    """A response's output items as the assistant's turn."""
    messages: list[Message] = []
    for item in output:
        if item["type"] == "function_call":
            _add_call(messages, _call(item["call_id"], item["name"], item["arguments"]))
        else:
            messages.append({"role": "assistant", "content": _text(item["content"])})
    return messages


def check_call_outputs(context: Sequence[Message], new: Sequence[Message]) -> None:
    """Each function call output answers a call made earlier in the conversation, as the service checks."""
    made: set[str] = set()
    for message in (*context, *new):
        for call in message.get("tool_calls") or ():
            made.add(call["id"])
        if message["role"] == "tool" and message["tool_call_id"] not in made:
            raise InvalidRequest(
                f"No tool call found for function call output with call_id {message['tool_call_id']}.",
                param="input",
            )


def model_messages(
    instructions: str | None, context: Sequence[Message], new: Sequence[Message]
) -> list[Message]:
    """What the model reads: this request's instructions (a previous response's are not carried over),
    the conversation so far, then the new input."""
    head: list[Message] = [{"role": "system", "content": instructions}] if instructions else []
    return [*head, *context, *new]


def _parts(item: InputItem) -> list[dict[str, Any]]:
    if isinstance(item.content, list):
        return [part.model_dump(exclude_none=True) for part in item.content]
    if item.role == "assistant":
        return [{"type": "output_text", "text": item.content or "", "annotations": [], "logprobs": []}]
    return [{"type": "input_text", "text": item.content or ""}]


def item_resources(items: Sequence[InputItem], new_id: Callable[[str], str]) -> list[dict[str, Any]]:
    """The input as `input_items` lists it: each item with an id of its own and a status."""
    resources: list[dict[str, Any]] = []
    for item in items:
        if item.kind == "message":
            resources.append(
                {
                    "id": new_id("msg_"),
                    "type": "message",
                    "role": item.role,
                    "content": _parts(item),
                    "status": "completed",
                }
            )
        elif item.kind == "function_call":
            resources.append(
                {
                    "id": new_id("fc_"),
                    "type": "function_call",
                    "status": "completed",
                    "arguments": item.arguments,
                    "call_id": item.call_id,
                    "name": item.name,
                }
            )
        else:
            resources.append(
                {
                    "id": new_id("fco_"),
                    "type": "function_call_output",
                    "call_id": item.call_id,
                    "output": item.output,
                    "status": "completed",
                }
            )
    return resources

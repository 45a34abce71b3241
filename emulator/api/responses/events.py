"""A finished response as the service streams it: typed events, each with its sequence number, whose
deltas join to the final text and arguments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator import jsontext
from emulator.api.responses.objects import at_stage
from emulator.model import Choice, stream_fragments, stream_parts

Event = dict[str, Any]


def _message_events(item: dict[str, Any], index: int, model: str) -> Iterator[Event]:
    opened = {**item, "status": "in_progress", "content": []}
    yield {"type": "response.output_item.added", "output_index": index, "item": opened}
    for position, part in enumerate(item["content"]):
        where = {"item_id": item["id"], "output_index": index, "content_index": position}
        empty = {**part, "text": ""}
        yield {"type": "response.content_part.added", **where, "part": empty}
        # Each delta carries its own tokens' log probabilities (when `include` asked for them).
        entries = part.get("logprobs") or None
        for delta, held in stream_parts(Choice(0, part["text"], "stop", 0, logprobs=entries), model):
            yield {"type": "response.output_text.delta", **where, "delta": delta, "logprobs": held or []}
        yield {
            "type": "response.output_text.done",
            **where,
            "text": part["text"],
            "logprobs": part["logprobs"],
        }
        yield {"type": "response.content_part.done", **where, "part": part}
    yield {"type": "response.output_item.done", "output_index": index, "item": item}


def _call_events(item: dict[str, Any], index: int, model: str) -> Iterator[Event]:
    opened = {**item, "status": "in_progress", "arguments": ""}
    yield {"type": "response.output_item.added", "output_index": index, "item": opened}
    where = {"item_id": item["id"], "output_index": index}
    for delta in stream_fragments(item["arguments"], model):
        yield {"type": "response.function_call_arguments.delta", **where, "delta": delta}
    yield {
        "type": "response.function_call_arguments.done",
        **where,
        "name": item["name"],
        "arguments": item["arguments"],
    }
    yield {"type": "response.output_item.done", "output_index": index, "item": item}


def events(finished: dict[str, Any], tokenizer: str) -> Iterator[Event]:
    """created, in_progress, each output item opened, filled and closed, then completed or incomplete."""
    started = at_stage(finished, "in_progress")
    body: list[Event] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
    ]
    for index, item in enumerate(finished["output"]):
        made = _call_events if item["type"] == "function_call" else _message_events
        body.extend(made(item, index, tokenizer))
    body.append({"type": f"response.{finished['status']}", "response": finished})
    for number, event in enumerate(body):
        yield {**event, "sequence_number": number}


def sse(event: Event) -> bytes:
    return b"event: " + str(event["type"]).encode() + b"\ndata: " + jsontext.compact_bytes(event) + b"\n\n"

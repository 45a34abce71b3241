"""Streamed responses through the SDK: the service's events in its order, numbered, joining to the answer."""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest

from tests.responses_helpers import QUESTION, async_sdk, error_of, sdk
from tests.surfaces import MODEL, SURFACES, headers, validated

TOOLS = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    }
]
TEXT_ORDER = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]


def collapsed(types: list[str]) -> list[str]:
    """The event types with runs of one type (the deltas) counted once."""
    return [kind for n, kind in enumerate(types) if n == 0 or types[n - 1] != kind]


@pytest.mark.parametrize("surface", SURFACES)
def test_text_stream_events_in_order(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    stream = api.responses.create(model=MODEL, input=QUESTION, stream=True, metadata={"s": "1"})
    events = [validated(event) for event in stream]
    types = [event.type for event in events]
    assert collapsed(types) == [*TEXT_ORDER, "response.completed"]
    assert types.count("response.output_text.delta") > 3
    assert [event.sequence_number for event in events] == list(range(len(events)))
    created = events[0].response
    assert (created.status, created.output, created.usage) == ("in_progress", [], None)
    final = events[-1].response
    deltas = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    done = next(event for event in events if event.type == "response.output_text.done")
    assert deltas == done.text == final.output_text and final.status == "completed"
    item_id = final.output[0].id
    assert all(event.item_id == item_id for event in events if event.type.startswith("response.output_text"))
    assert final.metadata == {"s": "1"}
    # The streamed response is stored, as it finished.
    assert api.responses.retrieve(final.id).model_dump() == final.model_dump()


@pytest.mark.parametrize("surface", SURFACES)
def test_an_incomplete_stream_ends_with_response_incomplete(emulator: Any, surface: str) -> None:
    events = list(
        sdk(emulator, surface).responses.create(
            model=MODEL, input=QUESTION, stream=True, max_output_tokens=16
        )
    )
    assert events[-1].type == "response.incomplete"
    final = events[-1].response
    assert final.incomplete_details.reason == "max_output_tokens"
    deltas = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert deltas == final.output_text


@pytest.mark.parametrize("surface", SURFACES)
def test_a_function_call_streams_its_arguments(emulator: Any, surface: str) -> None:
    stream = sdk(emulator, surface).responses.create(
        model=MODEL, input="What is the weather in Paris?", tools=TOOLS, tool_choice="required", stream=True
    )
    events = [validated(event) for event in stream]
    assert collapsed([event.type for event in events]) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    opened = events[2].item
    assert (opened.type, opened.arguments, opened.status) == ("function_call", "", "in_progress")
    done = next(event for event in events if event.type == "response.function_call_arguments.done")
    deltas = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    [call] = events[-1].response.output
    assert deltas == done.arguments == call.arguments and done.name == call.name == "get_weather"


def test_the_sdk_stream_helper_accumulates_the_final_response(emulator: Any) -> None:
    api = sdk(emulator, "openai")
    with api.responses.stream(model=MODEL, input=QUESTION) as stream:
        text = "".join(event.delta for event in stream if event.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert final.output_text == text and final.status == "completed"


@pytest.mark.parametrize("surface", SURFACES)
def test_the_async_client_streams(emulator: Any, surface: str) -> None:
    async def scenario() -> list[str]:
        api = async_sdk(emulator, surface)
        stream = await api.responses.create(model=MODEL, input="Hello!", stream=True)
        types = [event.type async for event in stream]
        await api.close()
        return types

    types = asyncio.run(scenario())
    assert collapsed(types) == [*TEXT_ORDER, "response.completed"]


def test_the_wire_form_is_server_sent_events_named_by_type(emulator: Any) -> None:
    with emulator.http_client() as http:
        answer = http.post(
            "/v1/responses",
            json={"model": MODEL, "input": "Hello!", "stream": True},
            headers=headers(emulator, "openai"),
        )
    assert answer.headers["content-type"].startswith("text/event-stream")
    blocks = answer.text.strip().split("\n\n")
    assert blocks[0].startswith("event: response.created\ndata: {")
    assert all(block.split("\n")[0].startswith("event: response.") for block in blocks)
    assert "[DONE]" not in answer.text


@pytest.mark.parametrize("surface", SURFACES)
def test_include_output_text_logprobs(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    asked = {"include": ["message.output_text.logprobs"], "top_logprobs": 2}
    made = api.responses.create(model=MODEL, input="Hello!", **asked)
    [part] = made.output[0].content
    assert part.logprobs and "".join(entry.token for entry in part.logprobs) == part.text
    assert all(len(entry.top_logprobs) == 2 for entry in part.logprobs) and made.top_logprobs == 2
    plain = api.responses.create(model=MODEL, input="Hello!")
    assert plain.output[0].content[0].logprobs == []
    events = list(api.responses.create(model=MODEL, input="Hello!", stream=True, **asked))
    streamed = [
        entry for event in events if event.type == "response.output_text.delta" for entry in event.logprobs
    ]
    assert [entry.token for entry in streamed] == [entry.token for entry in part.logprobs]
    with pytest.raises(openai.BadRequestError) as refused:
        api.responses.create(model=MODEL, input="Hello!", include=["no.such.thing"])  # type: ignore[list-item]
    assert error_of(refused.value)["param"] == "include[0]"


@pytest.mark.parametrize("surface", SURFACES)
def test_a_stored_response_streams_again_from_starting_after(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    first = [event.model_dump() for event in api.responses.create(model=MODEL, input=QUESTION, stream=True)]
    response_id = first[-1]["response"]["id"]
    again = [event.model_dump() for event in api.responses.retrieve(response_id, stream=True)]
    assert again == first
    rest = [
        event.model_dump() for event in api.responses.retrieve(response_id, stream=True, starting_after=4)
    ]
    assert rest == first[5:]
    background = api.responses.create(model=MODEL, input="Hello!", background=True)
    with pytest.raises(openai.BadRequestError) as pending:
        api.responses.retrieve(background.id, stream=True)
    assert error_of(pending.value)["param"] == "stream"
    emulator.advance(3600)
    streamed = list(api.responses.retrieve(background.id, stream=True))
    assert streamed[-1].type == "response.completed" and streamed[-1].response.background is True

"""Tool calls through the SDK: when the model calls, the arguments, parallel calls, streaming, the turn after."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import openai
import pytest

from tests.surfaces import MODEL, SURFACES, client
from tests.test_model_tokens import WEATHER_TOOL

TIME_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_local_time",
        "description": "Get the local time in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "format": {"type": "string", "enum": ["12h", "24h"]},
            },
            "required": ["city", "format"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
ORDER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "create_order",
        "description": "Place an order for products",
        "parameters": {
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {
                            "sku": {"type": "string", "pattern": "^[A-Z]{3}[0-9]{4}$"},
                            "quantity": {"type": "integer", "minimum": 1, "maximum": 9},
                        },
                        "required": ["sku", "quantity"],
                    },
                },
                "express": {"type": "boolean"},
            },
            "required": ["items"],
        },
    },
}
TOOLS = [WEATHER_TOOL, TIME_TOOL, ORDER_TOOL]
WEATHER_QUESTION = [{"role": "user", "content": "What's the weather like in San Francisco?"}]
BOTH_QUESTION = [{"role": "user", "content": "What's the weather and the local time in Paris?"}]
CHAT = [{"role": "user", "content": "Tell me a joke about penguins."}]


def parameters_of(name: str) -> dict[str, Any]:
    return next(t["function"]["parameters"] for t in TOOLS if t["function"]["name"] == name)


def assert_valid_calls(message: Any) -> list[str]:
    assert message.content is None
    names = []
    for call in message.tool_calls:
        assert call.type == "function"
        assert call.id.startswith("call_") and len(call.id) == 29
        jsonschema.validate(json.loads(call.function.arguments), parameters_of(call.function.name))
        names.append(call.function.name)
    return names


@pytest.mark.parametrize("surface", SURFACES)
def test_auto_calls_the_tool_the_question_names(emulator: Any, surface: str) -> None:
    completion = client(emulator, surface).chat.completions.create(
        model=MODEL, messages=WEATHER_QUESTION, tools=TOOLS
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert assert_valid_calls(choice.message) == ["get_current_weather"]
    assert json.loads(choice.message.tool_calls[0].function.arguments)["location"] == "San Francisco"
    assert completion.usage.completion_tokens > 0


def test_auto_answers_in_text_when_no_tool_fits(emulator: Any) -> None:
    choice = (
        client(emulator, "openai").chat.completions.create(model=MODEL, messages=CHAT, tools=TOOLS).choices[0]
    )
    assert choice.finish_reason == "stop"
    assert choice.message.tool_calls is None and choice.message.content


def test_none_never_calls(emulator: Any) -> None:
    choice = (
        client(emulator, "azure")
        .chat.completions.create(model=MODEL, messages=WEATHER_QUESTION, tools=TOOLS, tool_choice="none")
        .choices[0]
    )
    assert choice.finish_reason == "stop" and not choice.message.tool_calls


def test_required_calls_even_when_no_tool_fits(emulator: Any) -> None:
    choice = (
        client(emulator, "openai")
        .chat.completions.create(model=MODEL, messages=CHAT, tools=TOOLS, tool_choice="required")
        .choices[0]
    )
    assert choice.finish_reason == "tool_calls"
    assert assert_valid_calls(choice.message) == ["get_current_weather"]


@pytest.mark.parametrize("surface", SURFACES)
def test_naming_a_function_calls_exactly_it(emulator: Any, surface: str) -> None:
    choice = (
        client(emulator, surface)
        .chat.completions.create(
            model=MODEL,
            messages=WEATHER_QUESTION,
            tools=TOOLS,
            tool_choice={"type": "function", "function": {"name": "create_order"}},
        )
        .choices[0]
    )
    assert choice.finish_reason == "tool_calls"
    assert assert_valid_calls(choice.message) == ["create_order"]


def test_parallel_calls_and_turning_them_off(emulator: Any) -> None:
    sdk = client(emulator, "openai")
    both = sdk.chat.completions.create(model=MODEL, messages=BOTH_QUESTION, tools=TOOLS).choices[0]
    assert sorted(assert_valid_calls(both.message)) == ["get_current_weather", "get_local_time"]
    assert len({c.id for c in both.message.tool_calls}) == 2
    one = sdk.chat.completions.create(
        model=MODEL, messages=BOTH_QUESTION, tools=TOOLS, parallel_tool_calls=False
    ).choices[0]
    assert len(assert_valid_calls(one.message)) == 1


def test_unknown_named_function_is_a_400(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "azure").chat.completions.create(
            model=MODEL,
            messages=WEATHER_QUESTION,
            tools=TOOLS,
            tool_choice={"type": "function", "function": {"name": "book_flight"}},
        )
    assert caught.value.body["param"] == "tool_choice"
    assert "book_flight" in caught.value.body["message"]


@pytest.mark.parametrize("surface", SURFACES)
def test_the_turn_after_uses_the_tool_result(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    first = sdk.chat.completions.create(model=MODEL, messages=WEATHER_QUESTION, tools=TOOLS).choices[0]
    call = first.message.tool_calls[0]
    result = {"temperature": 17, "condition": "foggy"}
    messages = [
        *WEATHER_QUESTION,
        first.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)},
    ]
    answer = sdk.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS).choices[0]
    assert answer.finish_reason == "stop" and not answer.message.tool_calls
    assert "17" in answer.message.content and "foggy" in answer.message.content


@pytest.mark.parametrize("surface", SURFACES)
def test_streamed_tool_calls_arrive_as_the_service_sends_them(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    chunks = [
        c
        for c in sdk.chat.completions.create(model=MODEL, messages=BOTH_QUESTION, tools=TOOLS, stream=True)
        if c.choices
    ]
    whole = sdk.chat.completions.create(model=MODEL, messages=BOTH_QUESTION, tools=TOOLS).choices[0]
    deltas = [c.choices[0].delta for c in chunks]
    assert deltas[0].role == "assistant" and deltas[0].content is None
    opening = deltas[0].tool_calls[0]
    assert opening.index == 0 and opening.id == whole.message.tool_calls[0].id
    assert opening.type == "function" and opening.function.arguments == ""
    assert opening.function.name == whole.message.tool_calls[0].function.name
    rebuilt: dict[int, dict[str, str]] = {}
    for delta in deltas:
        for part in delta.tool_calls or ():
            entry = rebuilt.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
            if part.id:
                assert entry["id"] == "" and part.function.arguments == ""
                entry.update(id=part.id, name=part.function.name)
            else:
                assert part.type is None and part.function.name is None
            entry["arguments"] += part.function.arguments or ""
    assert [
        {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
        for c in whole.message.tool_calls
    ] == [rebuilt[i] for i in sorted(rebuilt)]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert sum(1 for d in deltas for p in d.tool_calls or () if p.id is None) >= 4


def test_stream_helper_accumulates_tool_calls(emulator: Any) -> None:
    sdk = client(emulator, "openai")
    with sdk.chat.completions.stream(model=MODEL, messages=WEATHER_QUESTION, tools=TOOLS) as stream:
        final = stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    assert call.function.name == "get_current_weather"
    jsonschema.validate(json.loads(call.function.arguments), parameters_of("get_current_weather"))


def test_a_strict_function_needs_a_strict_schema(emulator: Any) -> None:
    loose = {**ORDER_TOOL, "function": {**ORDER_TOOL["function"], "strict": True}}
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "openai").chat.completions.create(
            model=MODEL, messages=WEATHER_QUESTION, tools=[loose]
        )
    assert caught.value.body["param"] == "tools[0].function.parameters"
    assert "Invalid schema for function 'create_order'" in caught.value.body["message"]


@pytest.mark.parametrize("surface", SURFACES)
def test_deprecated_functions_answer_with_function_call(emulator: Any, surface: str) -> None:
    functions = [t["function"] for t in TOOLS]
    sdk = client(emulator, surface)
    choice = sdk.chat.completions.create(model=MODEL, messages=BOTH_QUESTION, functions=functions).choices[0]
    assert choice.finish_reason == "function_call"
    assert not choice.message.tool_calls
    call = choice.message.function_call
    assert call.name == "get_local_time"  # shares two words with the question: the best match
    jsonschema.validate(json.loads(call.arguments), parameters_of(call.name))
    forced = sdk.chat.completions.create(
        model=MODEL, messages=CHAT, functions=functions, function_call={"name": "create_order"}
    ).choices[0]
    assert forced.message.function_call.name == "create_order"
    streamed = "".join(
        c.choices[0].delta.function_call.arguments
        for c in sdk.chat.completions.create(
            model=MODEL, messages=BOTH_QUESTION, functions=functions, stream=True
        )
        if c.choices and c.choices[0].delta.function_call
    )
    assert streamed == call.arguments
    after = sdk.chat.completions.create(
        model=MODEL,
        messages=[
            *BOTH_QUESTION,
            {
                "role": "assistant",
                "content": None,
                "function_call": {"name": call.name, "arguments": call.arguments},
            },
            {"role": "function", "name": call.name, "content": '{"temperature": 9}'},
        ],
        functions=functions,
    ).choices[0]
    assert after.finish_reason == "stop" and "9" in after.message.content


@pytest.mark.parametrize("surface", SURFACES)
def test_a_token_limit_cuts_tool_call_arguments(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    whole = sdk.chat.completions.create(model=MODEL, messages=WEATHER_QUESTION, tools=TOOLS).choices[0]
    cut = sdk.chat.completions.create(model=MODEL, messages=WEATHER_QUESTION, tools=TOOLS, max_tokens=12)
    choice = cut.choices[0]
    assert choice.finish_reason == "length" and cut.usage.completion_tokens == 12
    arguments = choice.message.tool_calls[0].function.arguments
    assert whole.message.tool_calls[0].function.arguments.startswith(arguments)
    assert arguments != whole.message.tool_calls[0].function.arguments
    with pytest.raises(ValueError):
        json.loads(arguments)

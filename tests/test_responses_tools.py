"""Structured outputs, function tools and their outputs as turns, `responses.parse`, and input-token
counts, through the SDK on every surface."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import jsonschema
import openai
import pytest
from pydantic import BaseModel

from emulator.model import tokens
from tests.responses_helpers import async_sdk, error_of, sdk
from tests.surfaces import MODEL, MODEL_NAME, SURFACES, validated

CITY = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
    "required": ["city", "unit"],
    "additionalProperties": False,
}
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": CITY,
    "strict": True,
}
TIME_TOOL = {
    "type": "function",
    "name": "get_time",
    "description": "The local time in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
REPORT = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "temperature": {"type": "number"},
        "conditions": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["city", "temperature", "conditions"],
    "additionalProperties": False,
}


class Weather(BaseModel):
    city: str
    temperature_c: float
    windy: bool


@pytest.mark.parametrize("surface", SURFACES)
def test_json_schema_strict_output_is_valid_against_the_schema(emulator: Any, surface: str) -> None:
    response = sdk(emulator, surface).responses.create(
        model=MODEL,
        input="Report the weather in Oslo.",
        text={"format": {"type": "json_schema", "name": "report", "schema": REPORT, "strict": True}},
    )
    jsonschema.validate(json.loads(response.output_text), REPORT)
    assert response.text is not None and response.text.format is not None
    echoed = response.text.format.model_dump(by_alias=True)
    assert (echoed["type"], echoed["name"], echoed["schema"], echoed["strict"]) == (
        "json_schema",
        "report",
        REPORT,
        True,
    )


@pytest.mark.parametrize("surface", SURFACES)
def test_json_object_output_is_a_json_object(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    response = api.responses.create(
        model=MODEL, input="Give the capital of France as json.", text={"format": {"type": "json_object"}}
    )
    assert isinstance(json.loads(response.output_text), dict)
    with pytest.raises(openai.BadRequestError) as refused:
        api.responses.create(model=MODEL, input="Give the capital.", text={"format": {"type": "json_object"}})
    assert error_of(refused.value)["param"] == "input"


def test_schemas_are_checked_with_responses_params(emulator: Any) -> None:
    api = sdk(emulator, "openai")
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"text": {"format": {"type": "json_schema", "name": "x", "schema": loose, "strict": True}}},
            "text.format",
        ),
        ({"text": {"format": {"type": "json_schema", "schema": REPORT}}}, "text.format.name"),
        ({"text": {"format": {"type": "xml"}}}, "text.format.type"),
        ({"tools": [{"type": "web_search"}]}, "tools[0].type"),
        ({"tools": [WEATHER_TOOL], "tool_choice": {"type": "function", "name": "nope"}}, "tool_choice"),
        (
            {"tools": [{**WEATHER_TOOL, "parameters": {**CITY, "additionalProperties": True}}]},
            "tools[0].parameters",
        ),
    ]
    for fields, param in cases:
        with pytest.raises(openai.BadRequestError) as refused:
            api.responses.create(model=MODEL, input="Hello", **fields)
        assert error_of(refused.value)["param"] == param, (fields, error_of(refused.value))


@pytest.mark.parametrize("surface", SURFACES)
def test_parse_with_a_pydantic_model(emulator: Any, surface: str) -> None:
    parsed = sdk(emulator, surface).responses.parse(
        model=MODEL, input="Weather report for Oslo.", text_format=Weather
    )
    assert isinstance(parsed.output_parsed, Weather)
    assert parsed.output_parsed == Weather.model_validate_json(parsed.output_text)


@pytest.mark.parametrize("surface", SURFACES)
def test_a_function_call_and_its_output_as_the_next_turn(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    asked = api.responses.create(
        model=MODEL,
        input="What is the weather in Paris?",
        tools=[WEATHER_TOOL, TIME_TOOL],
        tool_choice="auto",
    )
    validated(asked)
    [call] = asked.output
    assert (call.type, call.name, call.status) == ("function_call", "get_weather", "completed")
    assert call.call_id.startswith("call_") and call.id.startswith("fc_")
    arguments = json.loads(call.arguments)
    jsonschema.validate(arguments, CITY)
    assert arguments["city"] == "Paris"
    assert [tool.name for tool in asked.tools] == ["get_weather", "get_time"]
    assert asked.usage is not None and asked.usage.output_tokens > 0
    answered = api.responses.create(
        model=MODEL,
        previous_response_id=asked.id,
        input=[
            {"type": "function_call_output", "call_id": call.call_id, "output": json.dumps({"celsius": 21})}
        ],
        tools=[WEATHER_TOOL, TIME_TOOL],
    )
    assert answered.output[0].type == "message" and "21" in answered.output_text
    listed = api.responses.input_items.list(answered.id).data
    assert [(item.type, item.call_id) for item in listed] == [("function_call_output", call.call_id)]
    # The whole conversation sent again as items, the call included, gets the same answer.
    whole = api.responses.create(
        model=MODEL,
        input=[
            {"role": "user", "content": "What is the weather in Paris?"},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": json.dumps({"celsius": 21})},
        ],
        tools=[WEATHER_TOOL, TIME_TOOL],
    )
    assert whole.output_text == answered.output_text


@pytest.mark.parametrize("surface", SURFACES)
def test_tool_choice_forces_or_forbids_a_call(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    forced = api.responses.create(
        model=MODEL,
        input="Hello there",
        tools=[WEATHER_TOOL, TIME_TOOL],
        tool_choice={"type": "function", "name": "get_time"},
    )
    assert [item.name for item in forced.output] == ["get_time"]
    assert forced.tool_choice.model_dump()["name"] == "get_time"
    none = api.responses.create(
        model=MODEL, input="What is the weather in Paris?", tools=[WEATHER_TOOL], tool_choice="none"
    )
    assert [item.type for item in none.output] == ["message"]


def test_parallel_tool_calls_false_makes_one_call(emulator: Any) -> None:
    api = sdk(emulator, "openai")
    question = "What is the weather and the local time in Paris?"
    both = api.responses.create(
        model=MODEL, input=question, tools=[WEATHER_TOOL, TIME_TOOL], tool_choice="required"
    )
    one = api.responses.create(
        model=MODEL,
        input=question,
        tools=[WEATHER_TOOL, TIME_TOOL],
        tool_choice="required",
        parallel_tool_calls=False,
    )
    assert len(one.output) == 1 and len(both.output) >= len(one.output)


@pytest.mark.parametrize("surface", ["azure_v1", "openai"])
def test_input_tokens_are_counted_as_create_counts_them(emulator: Any, surface: str) -> None:
    api = sdk(emulator, surface)
    counted = api.responses.input_tokens.count(
        model=MODEL, input="What is bagging?", instructions="Be brief."
    )
    assert counted.object == "response.input_tokens"
    made = api.responses.create(model=MODEL, input="What is bagging?", instructions="Be brief.")
    assert made.usage is not None and counted.input_tokens == made.usage.input_tokens
    chained = api.responses.input_tokens.count(
        model=MODEL, input="And boosting?", previous_response_id=made.id
    )
    follow = api.responses.create(model=MODEL, input="And boosting?", previous_response_id=made.id)
    assert follow.usage is not None and chained.input_tokens == follow.usage.input_tokens
    with_tools = api.responses.input_tokens.count(model=MODEL, input="What is bagging?", tools=[WEATHER_TOOL])
    assert with_tools.input_tokens > tokens.count_messages(
        [{"role": "user", "content": "What is bagging?"}], MODEL_NAME
    )


@pytest.mark.parametrize("surface", SURFACES)
def test_async_parse_and_tools(emulator: Any, surface: str) -> None:
    async def scenario() -> None:
        api = async_sdk(emulator, surface)
        parsed = await api.responses.parse(model=MODEL, input="Weather in Rome.", text_format=Weather)
        assert isinstance(parsed.output_parsed, Weather)
        asked = await api.responses.create(model=MODEL, input="Weather in Rome?", tools=[WEATHER_TOOL])
        assert asked.output[0].type == "function_call"
        await api.close()

    asyncio.run(scenario())

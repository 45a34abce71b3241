"""Structured outputs through the SDK: json_schema (strict or not), json_object, and the parse helper."""

from __future__ import annotations

import datetime
import json
from enum import Enum
from typing import Any

import jsonschema
import openai
import pytest
from pydantic import BaseModel, Field

from tests.surfaces import MODEL, SURFACES, client

EVENT_PROMPT = [
    {"role": "system", "content": "Extract the event information."},
    {
        "role": "user",
        "content": "Alice Smith and Bob Jones are going to the Science Fair in Seattle on Friday.",
    },
]

RICH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 3, "maxLength": 40},
        "status": {"type": "string", "enum": ["draft", "published", "archived"]},
        "attendees": {
            "type": "array",
            "items": {"$ref": "#/$defs/person"},
            "minItems": 1,
            "maxItems": 4,
        },
        "venue": {"anyOf": [{"$ref": "#/$defs/place"}, {"type": "null"}]},
        "starts_at": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "contact": {"type": "string", "format": "email"},
        "website": {"type": "string", "format": "uri"},
        "ticket": {"type": "string", "format": "uuid"},
        "code": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$"},
        "capacity": {"type": "integer", "minimum": 10, "maximum": 20},
        "price": {"type": "number", "exclusiveMinimum": 0, "maximum": 9.5},
        "rating": {"type": "number", "minimum": 1, "maximum": 5, "multipleOf": 0.5},
        "public": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "minItems": 2},
    },
    "required": [
        "title",
        "status",
        "attendees",
        "venue",
        "starts_at",
        "day",
        "contact",
        "website",
        "ticket",
        "code",
        "capacity",
        "price",
        "rating",
        "public",
        "tags",
    ],
    "additionalProperties": False,
    "$defs": {
        "person": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": ["integer", "null"], "minimum": 0}},
            "required": ["name", "age"],
            "additionalProperties": False,
        },
        "place": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "rooms": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["city", "rooms"],
            "additionalProperties": False,
        },
    },
}
TREE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"root": {"$ref": "#/$defs/node"}},
    "required": ["root"],
    "additionalProperties": False,
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "label": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            "required": ["label", "children"],
            "additionalProperties": False,
        }
    },
}


def schema_format(schema: dict[str, Any], strict: bool | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": "answer", "schema": schema}
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def check(value: Any, schema: dict[str, Any]) -> None:
    jsonschema.validate(value, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("strict", [True, False, None])
def test_json_schema_answers_validate(emulator: Any, surface: str, strict: bool | None) -> None:
    completion = client(emulator, surface).chat.completions.create(
        model=MODEL, messages=EVENT_PROMPT, response_format=schema_format(RICH_SCHEMA, strict), n=3
    )
    for choice in completion.choices:
        assert choice.finish_reason == "stop"
        check(json.loads(choice.message.content), RICH_SCHEMA)


def test_json_schema_answers_are_deterministic_and_vary_with_the_seed(emulator: Any) -> None:
    sdk = client(emulator, "openai")

    def content(seed: int) -> str:
        return (
            sdk.chat.completions.create(
                model=MODEL,
                messages=EVENT_PROMPT,
                response_format=schema_format(RICH_SCHEMA, True),
                seed=seed,
            )
            .choices[0]
            .message.content
        )

    assert content(1) == content(1)
    assert content(1) != content(2)


def test_strings_draw_on_the_prompt(emulator: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "people": {"type": "array", "items": {"type": "string"}}},
        "required": ["city", "people"],
        "additionalProperties": False,
    }
    answer = json.loads(
        client(emulator, "azure")
        .chat.completions.create(
            model=MODEL, messages=EVENT_PROMPT, response_format=schema_format(schema, True)
        )
        .choices[0]
        .message.content
    )
    phrases = {"Alice Smith", "Bob Jones", "Science Fair", "Seattle", "Friday"}
    assert answer["city"] in phrases
    assert set(answer["people"]) <= phrases


def test_recursive_schemas_end(emulator: Any) -> None:
    completion = client(emulator, "openai").chat.completions.create(
        model=MODEL, messages=EVENT_PROMPT, response_format=schema_format(TREE_SCHEMA, True)
    )
    check(json.loads(completion.choices[0].message.content), TREE_SCHEMA)


def test_json_object_answers_are_json_objects(emulator: Any) -> None:
    completion = client(emulator, "azure").chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "List three bread recipes as JSON."}],
        response_format={"type": "json_object"},
    )
    assert isinstance(json.loads(completion.choices[0].message.content), dict)


def test_json_object_needs_the_word_json(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "openai").chat.completions.create(
            model=MODEL, messages=EVENT_PROMPT, response_format={"type": "json_object"}
        )
    assert caught.value.body["param"] == "messages"
    assert "'json'" in caught.value.body["message"]


def test_json_schema_needs_a_name(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "azure").chat.completions.create(
            model=MODEL,
            messages=EVENT_PROMPT,
            response_format={"type": "json_schema", "json_schema": {"schema": {"type": "object"}}},
        )
    assert caught.value.body["param"] == "response_format.json_schema.name"


class Level(str, Enum):
    beginner = "beginner"
    expert = "expert"


class Attendee(BaseModel):
    name: str
    email: str = Field(json_schema_extra={"format": "email"})
    level: Level


class Event(BaseModel):
    name: str
    date: datetime.date
    starts: datetime.datetime
    attendees: list[Attendee]
    seats: int = Field(ge=1, le=500)
    notes: str | None


@pytest.mark.parametrize("surface", SURFACES)
def test_parse_returns_the_pydantic_object(emulator: Any, surface: str) -> None:
    completion = client(emulator, surface).chat.completions.parse(
        model=MODEL, messages=EVENT_PROMPT, response_format=Event
    )
    event = completion.choices[0].message.parsed
    assert isinstance(event, Event)
    assert event.attendees and all(isinstance(a, Attendee) for a in event.attendees)
    assert 1 <= event.seats <= 500


def test_beta_parse_works_too(emulator: Any) -> None:
    completion = client(emulator, "openai").beta.chat.completions.parse(
        model=MODEL, messages=EVENT_PROMPT, response_format=Event
    )
    assert isinstance(completion.choices[0].message.parsed, Event)


def test_an_unsatisfiable_schema_is_a_400_naming_it(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "openai").chat.completions.create(
            model=MODEL,
            messages=EVENT_PROMPT,
            response_format=schema_format({"$ref": "#/$defs/nowhere"}, True),
        )
    assert caught.value.body["param"] == "response_format.json_schema.schema"
    assert "#/$defs/nowhere" in caught.value.body["message"]


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "'additionalProperties'",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
            "Missing 'a'",
        ),
        (
            {
                "type": "object",
                "properties": {"inner": {"type": "object", "properties": {}}},
                "required": ["inner"],
                "additionalProperties": False,
            },
            "context=('properties', 'inner')",
        ),
    ],
)
def test_strict_schemas_must_follow_strict_rules(emulator: Any, schema: dict[str, Any], problem: str) -> None:
    sdk = client(emulator, "azure")
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.chat.completions.create(
            model=MODEL, messages=EVENT_PROMPT, response_format=schema_format(schema, True)
        )
    assert caught.value.body["param"] == "response_format"
    assert problem in caught.value.body["message"]
    assert "Invalid schema for response_format 'answer'" in caught.value.body["message"]
    loose = sdk.chat.completions.create(
        model=MODEL, messages=EVENT_PROMPT, response_format=schema_format(schema, False)
    )
    check(json.loads(loose.choices[0].message.content), schema)


def test_a_json_schema_without_schema_answers_an_object(emulator: Any) -> None:
    completion = client(emulator, "openai").chat.completions.create(
        model=MODEL,
        messages=EVENT_PROMPT,
        response_format={"type": "json_schema", "json_schema": {"name": "any"}},
    )
    assert isinstance(json.loads(completion.choices[0].message.content), dict)

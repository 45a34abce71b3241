"""JSON schemas in requests are checked before anything is generated: a schema that is not a draft
2020-12 schema, that asks for more output than an answer may hold, or whose required values never end
is a 400 naming where the schema sits (`param`), the keyword and its JSON path; never a 500 or a hang.
Through the SDK on every surface: response formats (also streamed), tools, the deprecated functions,
and eval runs' sampling params."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import openai
import pytest

from emulator.model.json_schema import metaschema_problem
from tests.surfaces import MODEL, SURFACES, client
from tests.test_evals import MENTIONS_PARIS, custom_eval, evals_client
from tests.test_model_structured import RICH_SCHEMA

QUESTION = [{"role": "user", "content": "List the planets Mercury, Venus and Earth with their moons."}]
FORMAT_PARAM = "response_format.json_schema.schema"


def response_format(schema: dict[str, Any], strict: bool | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": "answer", "schema": schema}
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def function_tool(parameters: Any) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": "list_planets", "description": "List planets", "parameters": parameters},
    }


def refused(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(openai.BadRequestError) as caught:
        call(**kwargs)
    assert caught.value.status_code == 400
    body = caught.value.body
    assert isinstance(body, dict)
    return body


def refused_format(sdk: Any, schema: Any) -> dict[str, Any]:
    """The error body of a chat request whose response format holds `schema`, refused where it sits."""
    body = refused(
        sdk.chat.completions.create, model=MODEL, messages=QUESTION, response_format=response_format(schema)
    )
    assert body["param"] == FORMAT_PARAM, schema
    return body


def nested_arrays(levels: int, count: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    for _ in range(levels):
        schema = {"type": "array", "minItems": count, "items": schema}
    return schema


def holding(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {name: schema}, "required": [name]}


# (schema, keyword the message names, JSON path the message names)
HUGE_BOUNDS = {
    "minItems 1e30": (
        holding("planets", {"type": "array", "minItems": 1e30, "items": {"type": "string"}}),
        "minItems",
        "#/properties/planets",
    ),
    "minProperties 1e9": (
        {"type": "object", "minProperties": 1_000_000_000, "additionalProperties": {"type": "string"}},
        "minProperties",
        "#",
    ),
    "minLength 1e8": (
        holding("essay", {"type": "string", "minLength": 100_000_000}),
        "minLength",
        "#/properties/essay",
    ),
    "four nested arrays of 50": (holding("grid", nested_arrays(4, 50)), "minItems", "#/properties/grid"),
    "minItems 1e6": (
        holding("numbers", {"type": "array", "minItems": 1_000_000, "items": {"type": "integer"}}),
        "minItems",
        "#/properties/numbers",
    ),
    "a pattern of a million characters": (
        holding("code", {"type": "string", "pattern": "^(a{1000}){1000}$"}),
        "pattern",
        "#/properties/code",
    ),
}


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("case", sorted(HUGE_BOUNDS))
def test_huge_bounds_are_a_400_naming_the_keyword_and_path(emulator: Any, surface: str, case: str) -> None:
    schema, keyword, path = HUGE_BOUNDS[case]
    sdk = client(emulator, surface)
    body = refused(
        sdk.chat.completions.create, model=MODEL, messages=QUESTION, response_format=response_format(schema)
    )
    assert body["param"] == FORMAT_PARAM
    assert body["code"] == "invalid_json_schema"
    assert body["type"] == "invalid_request_error"
    assert body["message"].startswith("Invalid schema for response_format 'answer': ")
    assert f"'{keyword}' at '{path}" in body["message"]
    assert "16,384 tokens" in body["message"]
    # Streamed, the same request is refused before the stream starts.
    body = refused(
        sdk.chat.completions.create,
        model=MODEL,
        messages=QUESTION,
        response_format=response_format(schema),
        stream=True,
    )
    assert body["param"] == FORMAT_PARAM


@pytest.mark.parametrize("surface", SURFACES)
def test_huge_bounds_in_tools_and_functions_name_the_parameters(emulator: Any, surface: str) -> None:
    schema, keyword, path = HUGE_BOUNDS["minItems 1e30"]
    sdk = client(emulator, surface)
    tools = [function_tool({"type": "object", "properties": {}}), function_tool(schema)]
    body = refused(sdk.chat.completions.create, model=MODEL, messages=QUESTION, tools=tools)
    assert body["param"] == "tools[1].function.parameters"
    assert body["code"] == "invalid_function_parameters"
    assert body["message"].startswith("Invalid schema for function 'list_planets': ")
    assert f"'{keyword}' at '{path}'" in body["message"]
    functions = [tools[1]["function"]]
    body = refused(sdk.chat.completions.create, model=MODEL, messages=QUESTION, functions=functions)
    assert body["param"] == "functions[0].parameters"


@pytest.mark.parametrize("surface", SURFACES)
def test_bounds_within_the_limits_are_answered_and_the_token_limit_is_kept(
    emulator: Any, surface: str
) -> None:
    schema = holding("numbers", {"type": "array", "minItems": 3000, "items": {"type": "integer"}})
    sdk = client(emulator, surface)
    completion = sdk.chat.completions.create(
        model=MODEL, messages=QUESTION, response_format=response_format(schema)
    )
    answer = json.loads(completion.choices[0].message.content)
    jsonschema.validate(answer, schema)
    assert len(answer["numbers"]) == 3000
    assert completion.usage.completion_tokens <= 16_384
    # The same bound with a token limit it cannot fit in: refused, naming the limit.
    body = refused(
        sdk.chat.completions.create,
        model=MODEL,
        messages=QUESTION,
        response_format=response_format(schema),
        max_tokens=100,
    )
    assert body["param"] == FORMAT_PARAM
    assert "'minItems' at '#/properties/numbers'" in body["message"]
    assert "max_tokens allows 100" in body["message"]


def test_a_schema_without_bounds_is_cut_at_max_tokens_as_before(emulator: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "summary": {"type": "string"},
            "planets": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["summary", "planets"],
    }
    completion = client(emulator, "openai").chat.completions.create(
        model=MODEL, messages=QUESTION, response_format=response_format(schema), max_tokens=5
    )
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 5


# (schema, keyword the message names): each breaks draft 2020-12's metaschema.
MALFORMED: list[tuple[Any, str]] = [
    ({"type": "object", "required": [[]]}, "required"),
    ({"type": "object", "required": ["a", "a"]}, "required"),
    ({"type": "object", "required": "a"}, "required"),
    ({"type": "array", "minItems": [1]}, "minItems"),
    ({"type": "array", "minItems": -1}, "minItems"),
    ({"type": "array", "maxItems": 2.5}, "maxItems"),
    ({"type": "number", "maximum": "3"}, "maximum"),
    ({"type": "number", "minimum": "0"}, "minimum"),
    ({"type": "number", "exclusiveMinimum": True}, "exclusiveMinimum"),
    ({"type": "number", "exclusiveMaximum": "9"}, "exclusiveMaximum"),
    ({"type": "number", "multipleOf": 0}, "multipleOf"),
    ({"type": "array", "prefixItems": {}}, "prefixItems"),
    ({"type": "array", "prefixItems": [{"type": "string"}, "x"]}, "prefixItems"),
    ({"type": "array", "prefixItems": []}, "prefixItems"),
    ({"type": "array", "items": [{"type": "string"}]}, "items"),
    ({"type": "array", "uniqueItems": "yes"}, "uniqueItems"),
    ({"allOf": {}}, "allOf"),
    ({"anyOf": []}, "anyOf"),
    ({"anyOf": [3]}, "anyOf"),
    ({"oneOf": {"type": "string"}}, "oneOf"),
    ({"not": 3}, "not"),
    ({"type": "object", "properties": []}, "properties"),
    ({"type": "object", "properties": {"a": 3}}, "properties"),
    ({"type": "object", "additionalProperties": []}, "additionalProperties"),
    ({"type": "object", "minProperties": -1}, "minProperties"),
    ({"type": "object", "maxProperties": "2"}, "maxProperties"),
    ({"type": "object", "patternProperties": {"(": {}}}, "patternProperties"),
    ({"type": "object", "dependentRequired": {"a": "b"}}, "dependentRequired"),
    ({"type": "foo"}, "type"),
    ({"type": []}, "type"),
    ({"type": ["string", "string"]}, "type"),
    ({"type": "string", "minLength": -1}, "minLength"),
    ({"type": "string", "maxLength": 1.5}, "maxLength"),
    ({"type": "string", "pattern": "("}, "pattern"),
    ({"type": "string", "pattern": 5}, "pattern"),
    ({"type": "string", "format": 3}, "format"),
    ({"enum": "red"}, "enum"),
    ({"$ref": 5}, "$ref"),
    ({"$defs": []}, "$defs"),
    ({"type": "string", "description": 5}, "description"),
    ({"type": "string", "title": []}, "title"),
    ({"if": 3}, "if"),
    ({"$defs": {"planet": {"type": "nope"}}, "type": "string"}, "type"),
    (holding("moons", {"type": "array", "items": {"type": "string", "minLength": "1"}}), "minLength"),
]


def test_the_malformed_table_breaks_the_metaschema_and_only_it() -> None:
    """The checks agree with the library's own check of the whole schema (draft 2020-12)."""
    assert len({json.dumps(s, sort_keys=True) for s, _ in MALFORMED}) == len(MALFORMED) >= 30
    for schema, keyword in MALFORMED:
        with pytest.raises(jsonschema.SchemaError):
            jsonschema.Draft202012Validator.check_schema(schema)
        problem = metaschema_problem(schema)
        assert problem is not None and f"'{keyword}' is not valid" in problem, schema
    for valid in (RICH_SCHEMA, {"type": "object"}, True, {"minItems": 1e30}, {"dependencies": {"a": ["b"]}}):
        jsonschema.Draft202012Validator.check_schema(valid)
        assert metaschema_problem(valid) is None


@pytest.mark.parametrize("surface", SURFACES)
def test_malformed_schemas_are_a_400_never_a_500(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    for schema, keyword in MALFORMED:
        body = refused_format(sdk, schema)
        assert body["code"] == "invalid_json_schema"
        assert "In context=" in body["message"] and f"'{keyword}'" in body["message"], body["message"]
        body = refused(
            sdk.chat.completions.create, model=MODEL, messages=QUESTION, tools=[function_tool(schema)]
        )
        assert body["param"] == "tools[0].function.parameters", schema
        assert body["code"] == "invalid_function_parameters"


def test_a_malformed_nested_schema_names_its_context(emulator: Any) -> None:
    schema = holding("moons", {"type": "array", "items": {"type": "string", "minLength": "1"}})
    body = refused(
        client(emulator, "openai").chat.completions.create,
        model=MODEL,
        messages=QUESTION,
        response_format=response_format(schema),
    )
    assert body["message"] == (
        "Invalid schema for response_format 'answer': In context=('properties', 'moons', 'items'), "
        "'minLength' is not valid: '1' is not of type 'integer'."
    )


# Schemas that are schemas, but whose required values never end or cannot be written at all.
UNMEETABLE: list[tuple[dict[str, Any], str]] = [
    ({"$ref": "#"}, "'$ref' at '#/$ref' refers back to itself"),
    (
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
        "refers back to itself",
    ),
    (
        {"type": "object", "properties": {"child": {"$ref": "#"}}, "required": ["child"]},
        "'$ref' at '#/properties/child/$ref' refers back to itself",
    ),
    ({"allOf": [{"$ref": "#"}]}, "'allOf' at '#/allOf' refers back to itself"),
    ({"anyOf": [{"$ref": "#"}]}, "refers back to itself"),
    ({"type": "array", "minItems": 1, "items": {"$ref": "#"}}, "refers back to itself"),
    (
        {
            "$defs": {
                "node": {
                    "type": "object",
                    "properties": {"next": {"$ref": "#/$defs/node"}},
                    "required": ["next"],
                }
            },
            "type": "object",
            "properties": {"head": {"$ref": "#/$defs/node"}},
            "required": ["head"],
        },
        "refers back to itself",
    ),
    (holding("a", {"$ref": "#/$defs/missing"}), "the reference '#/$defs/missing' does not resolve"),
    (holding("a", {"$ref": "https://example.com/schema.json"}), "only local references are supported"),
    (holding("a", {"type": "array", "minItems": 5, "maxItems": 2}), "'minItems' at '#/properties/a'"),
    (holding("a", {"type": "string", "minLength": 9, "maxLength": 3}), "'minLength' at '#/properties/a'"),
    (holding("a", {"type": "integer", "minimum": 5, "maximum": 4}), "'minimum' at '#/properties/a'"),
    (holding("a", False), "no value is allowed there"),
    (
        {"type": "object", "properties": {"a": {}}, "additionalProperties": False, "minProperties": 2},
        "'minProperties' at '#' cannot be met",
    ),
    (holding("a", {"type": "array", "items": False, "minItems": 1}), "'minItems' at '#/properties/a'"),
]


@pytest.mark.parametrize("surface", SURFACES)
def test_endless_and_unmeetable_schemas_are_a_400(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    for schema, words in UNMEETABLE:
        body = refused_format(sdk, schema)
        assert words in body["message"], body["message"]


TREE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#"}},
    },
    "required": ["name", "children"],
    "additionalProperties": False,
}
LINKED = {
    "type": "object",
    "properties": {"head": {"$ref": "#/$defs/node"}},
    "required": ["head"],
    "additionalProperties": False,
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "value": {"type": "integer"},
                "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]},
            },
            "required": ["value", "next"],
            "additionalProperties": False,
        }
    },
}
UNION = {  # no null branch: the recursion ends by the union's smaller branch
    "type": "object",
    "properties": {"expr": {"$ref": "#/$defs/expr"}},
    "required": ["expr"],
    "additionalProperties": False,
    "$defs": {
        "expr": {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {"left": {"$ref": "#/$defs/expr"}, "right": {"$ref": "#/$defs/expr"}},
                    "required": ["left", "right"],
                    "additionalProperties": False,
                },
                {"type": "integer"},
            ]
        }
    },
}


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("schema", [TREE, LINKED, UNION], ids=["tree", "linked list", "union"])
def test_valid_recursive_schemas_answer_valid_output(
    emulator: Any, surface: str, schema: dict[str, Any]
) -> None:
    sdk = client(emulator, surface)
    for strict in (True, False):
        completion = sdk.chat.completions.create(
            model=MODEL, messages=QUESTION, response_format=response_format(schema, strict), n=3
        )
        for choice in completion.choices:
            assert choice.finish_reason == "stop"
            answer = json.loads(choice.message.content)
            jsonschema.validate(answer, schema)
            assert _depth(answer) < 40


def test_recursive_tool_parameters_answer_valid_arguments(emulator: Any) -> None:
    completion = client(emulator, "azure").chat.completions.create(
        model=MODEL, messages=QUESTION, tools=[function_tool(TREE)], tool_choice="required"
    )
    call = completion.choices[0].message.tool_calls[0]
    jsonschema.validate(json.loads(call.function.arguments), TREE)


def _fan_out(width: int, levels: int) -> dict[str, Any]:
    """Optional properties `width` wide and `levels` deep: width ** levels values if all were written."""
    defs: dict[str, Any] = {"level0": {"type": "string"}}
    for level in range(1, levels + 1):
        defs[f"level{level}"] = {
            "type": "object",
            "properties": {f"p{i}": {"$ref": f"#/$defs/level{level - 1}"} for i in range(width)},
        }
    return {"$defs": defs, "$ref": f"#/$defs/level{levels}"}


@pytest.mark.parametrize("surface", SURFACES)
def test_schemas_too_wide_to_fill_answer_what_they_require_within_the_limit(
    emulator: Any, surface: str
) -> None:
    sdk = client(emulator, surface)
    wide = _fan_out(20, 6)  # 64 million strings if every optional property were filled
    completion = sdk.chat.completions.create(
        model=MODEL, messages=QUESTION, response_format=response_format(wide)
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    jsonschema.validate(json.loads(choice.message.content), wide)
    assert completion.usage.completion_tokens <= 16_384
    # Unique items from a schema with few values, and a pattern whose alternatives could be huge: bounded.
    few = holding(
        "flags", {"type": "array", "minItems": 500, "uniqueItems": True, "items": {"type": "boolean"}}
    )
    completion = sdk.chat.completions.create(
        model=MODEL, messages=QUESTION, response_format=response_format(few)
    )
    assert len(json.loads(completion.choices[0].message.content)["flags"]) <= 2
    code = holding("code", {"type": "string", "pattern": "^(a|b{5000}){20}$"})
    completion = sdk.chat.completions.create(
        model=MODEL, messages=QUESTION, response_format=response_format(code)
    )
    jsonschema.validate(json.loads(completion.choices[0].message.content), code)


# Strict mode: what structured outputs refuse even in a valid schema.


def _nested_objects(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {
            "type": "object",
            "properties": {"inner": schema},
            "required": ["inner"],
            "additionalProperties": False,
        }
    return schema


STRICT_REFUSED = [
    (
        {
            "type": "object",
            "properties": {"a": {"type": "string", "not": {"const": "x"}}},
            "required": ["a"],
            "additionalProperties": False,
        },
        "In context=('properties', 'a'), 'not' is not permitted.",
    ),
    (
        {
            "type": "object",
            "properties": {"a": {"type": "string"}},
            "required": ["a"],
            "additionalProperties": False,
            "if": {"required": ["a"]},
        },
        "'if' is not permitted",
    ),
    (_nested_objects(11), "11 levels of nesting exceeds limit of 10."),
    (
        {
            "type": "object",
            "properties": {"a": {"type": "string", "enum": [f"v{i}" for i in range(1001)]}},
            "required": ["a"],
            "additionalProperties": False,
        },
        "Expected at most 1000 enum values in total",
    ),
    ({"type": "array", "items": {"type": "string"}}, "schema must be a JSON Schema of 'type: \"object\"'"),
    ({"anyOf": [_nested_objects(1), {"type": "null"}]}, "must not be 'anyOf'"),
]


@pytest.mark.parametrize("surface", SURFACES)
def test_strict_mode_refuses_what_structured_outputs_refuse(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    for schema, words in STRICT_REFUSED:
        body = refused(
            sdk.chat.completions.create,
            model=MODEL,
            messages=QUESTION,
            response_format=response_format(schema, strict=True),
        )
        assert body["param"] == "response_format"
        assert words in body["message"], body["message"]
        loose = sdk.chat.completions.create(
            model=MODEL, messages=QUESTION, response_format=response_format(schema, strict=False)
        )
        jsonschema.validate(json.loads(loose.choices[0].message.content), schema)
    assert _nested_objects(10)  # ten levels are allowed
    sdk.chat.completions.create(
        model=MODEL, messages=QUESTION, response_format=response_format(_nested_objects(10), strict=True)
    )


# Eval runs: the sampling params' schemas are checked when the run is created.


def _run_with(c: Any, eval_id: str, sampling_params: dict[str, Any]) -> Any:
    return c.evals.runs.create(
        eval_id,
        data_source={
            "type": "completions",
            "model": "gpt-4o",
            "input_messages": {
                "type": "template",
                "template": [{"role": "user", "content": "Say {{item.word}}"}],
            },
            "sampling_params": sampling_params,
            "source": {"type": "file_content", "content": [{"item": {"word": "Paris"}}]},
        },
    )


EVAL_PARAM = "data_source.sampling_params"


@pytest.mark.parametrize("surface", SURFACES)
def test_eval_run_schemas_are_checked_naming_the_sampling_params_path(emulator: Any, surface: str) -> None:
    c = evals_client(emulator, surface)
    evaluation = custom_eval(c, ["word"], [MENTIONS_PARIS], required=True, sample=True)
    huge, keyword, path = HUGE_BOUNDS["minItems 1e30"]
    cases = [
        (
            {"response_format": response_format(huge)},
            f"{EVAL_PARAM}.{FORMAT_PARAM}",
            f"'{keyword}' at '{path}'",
        ),
        (
            {"response_format": response_format({"type": "object", "required": [[]]})},
            f"{EVAL_PARAM}.{FORMAT_PARAM}",
            "'required' is not valid",
        ),
        (
            {"response_format": response_format({"$ref": "#"})},
            f"{EVAL_PARAM}.{FORMAT_PARAM}",
            "refers back to itself",
        ),
        (
            {"tools": [function_tool(huge)]},
            f"{EVAL_PARAM}.tools[0].function.parameters",
            f"'{keyword}' at '{path}'",
        ),
        (
            {"tools": [function_tool({"minItems": [1]})]},
            f"{EVAL_PARAM}.tools[0].function.parameters",
            "'minItems' is not valid",
        ),
        (
            # The run's own token limit (2048 by default) bounds what a sample may be asked for.
            {
                "response_format": response_format(
                    holding("n", {"type": "array", "minItems": 3000, "items": {"type": "integer"}})
                )
            },
            f"{EVAL_PARAM}.{FORMAT_PARAM}",
            "max_tokens allows 2,048",
        ),
    ]
    for sampling_params, param, words in cases:
        body = refused(_run_with, c=c, eval_id=evaluation.id, sampling_params=sampling_params)
        assert body["param"] == param, sampling_params
        assert words in body["message"], body["message"]
    assert not c.evals.runs.list(evaluation.id).data  # nothing was made
    run = _run_with(c, evaluation.id, {"response_format": response_format(TREE, strict=True)})
    emulator.advance(3)
    (item,) = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    jsonschema.validate(json.loads(item.sample.output[0].content), TREE)


def test_patterns_with_alternatives_are_matched(emulator: Any) -> None:
    schema = holding("colour", {"type": "string", "pattern": "^(red|green|blue)-[0-9]{2}$"})
    completion = client(emulator, "openai").chat.completions.create(
        model=MODEL, messages=QUESTION, response_format=response_format(schema), n=4
    )
    for choice in completion.choices:
        jsonschema.validate(json.loads(choice.message.content), schema)


def test_each_model_s_own_output_limit_bounds_the_schema(emulator: Any) -> None:
    """10,000 integers need about 20,000 tokens: more than gpt-4o writes (16,384), within gpt-4.1's
    32,768; 3,000 need about 6,000, more than gpt-35-turbo's 4,096."""
    ten_thousand = holding("numbers", {"type": "array", "minItems": 10_000, "items": {"type": "integer"}})
    sdk = emulator.openai_client()
    completion = sdk.chat.completions.create(
        model="gpt-4.1", messages=QUESTION, response_format=response_format(ten_thousand)
    )
    assert len(json.loads(completion.choices[0].message.content)["numbers"]) == 10_000
    body = refused(
        sdk.chat.completions.create,
        model="gpt-4o",
        messages=QUESTION,
        response_format=response_format(ten_thousand),
    )
    assert "the model writes at most 16,384 tokens in one answer" in body["message"]
    emulator.create_deployment("gpt35", "gpt-35-turbo-0125")
    three_thousand = holding("numbers", {"type": "array", "minItems": 3000, "items": {"type": "integer"}})
    body = refused(
        emulator.azure_client().chat.completions.create,
        model="gpt35",
        messages=QUESTION,
        tools=[function_tool(three_thousand)],
    )
    assert body["param"] == "tools[0].function.parameters"
    assert "the model writes at most 4,096 tokens in one answer" in body["message"]

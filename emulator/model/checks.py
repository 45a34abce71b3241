"""Request checks the model needs before it can answer: response_format, tools and tool_choice, as the
service rejects them (400, naming `param`).

A JSON schema (a response format's, a function's parameters) is checked in this order: that it can be
read (size, nesting), that it is a JSON schema (draft 2020-12's metaschema), strict mode's rules when
`strict` is true, and that the least output it allows is finite and fits the token limits. Clients send
the same schema with every request: each distinct one is worked out once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emulator.errors import InvalidRequest
from emulator.model import canonical_json, json_schema, structured, tools
from emulator.model.memo import Memo
from emulator.model.schema_bounds import Need, SchemaError, short, too_much

RESPONSE_FORMAT_CODE = "invalid_json_schema"
FUNCTION_CODE = "invalid_function_parameters"


def _missing(param: str) -> InvalidRequest:
    return InvalidRequest(
        f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def check_response_format(
    response_format: dict[str, Any] | None,
    messages: Sequence[dict[str, Any]],
    canonical: str | None = None,
    *,
    max_tokens: int | None = None,
    ceiling: int | None = None,
) -> None:
    """`canonical`: the response format as canonical JSON, when the caller has it already;
    `max_tokens`: the request's token limit, and `ceiling` the model's output limit, which the schema's
    least output must fit."""
    if response_format is None:
        return
    kind = response_format.get("type")
    if kind not in ("text", "json_object", "json_schema"):
        raise InvalidRequest(
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object' and 'json_schema'.",
            param="response_format.type",
        )
    if kind == "json_object" and "json" not in str(messages).lower():
        raise InvalidRequest(
            "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
            "'json_object'.",
            param="messages",
        )
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict):
            raise _missing("response_format.json_schema")
        if not isinstance(spec.get("name"), str) or not spec["name"]:
            raise _missing("response_format.json_schema.name")
        if "schema" in spec and not isinstance(spec["schema"], dict):
            raise InvalidRequest(
                "Invalid type for 'response_format.json_schema.schema': expected an object.",
                param="response_format.json_schema.schema",
                code="invalid_type",
            )
        if "schema" in spec:
            key = None if canonical is None else "response_format:" + canonical
            check_schema(
                spec["schema"],
                Where(
                    f"response_format '{spec['name']}'",
                    "response_format.json_schema.schema",
                    RESPONSE_FORMAT_CODE,
                ),
                strict=spec.get("strict") is True,
                strict_param="response_format",
                max_tokens=max_tokens,
                ceiling=ceiling,
                key=key,
            )


@dataclass(frozen=True)
class Where:
    """Where a schema sits in the request: what the message calls it, its `param`, the error code."""

    subject: str
    param: str
    code: str


@dataclass(frozen=True)
class Verdict:
    """What is wrong with one schema, worked out once: unreadable or not a schema (`invalid`), against
    strict mode (`strict`), unsatisfiable (`unmeetable`); else the least output it allows (`need`)."""

    invalid: str | None = None
    strict: str | None = None
    unmeetable: str | None = None
    need: Need | None = None


def _verdict(schema: Any) -> Verdict:
    invalid = json_schema.structure_problem(schema) or json_schema.metaschema_problem(schema)
    if invalid:
        return Verdict(invalid=invalid)
    strict = json_schema.strict_problem(schema)
    try:
        return Verdict(strict=strict, need=structured.least_output(schema))
    except SchemaError as error:
        return Verdict(strict=strict, unmeetable=f"at '{short(error.path)}', {error}.")


_VERDICTS: Memo[Verdict] = Memo(256)


def check_schema(
    schema: Any,
    where: Where,
    *,
    strict: bool = False,
    strict_param: str | None = None,
    max_tokens: int | None = None,
    ceiling: int | None = None,
    key: str | None = None,
) -> None:
    """`key`: canonical JSON that names the schema (the whole response format will do)."""
    verdict = _VERDICTS.get(key or "schema:" + canonical_json(schema), _verdict, schema)

    def refuse(problem: str, param: str | None = None) -> InvalidRequest:
        return InvalidRequest(
            f"Invalid schema for {where.subject}: {problem}", param=param or where.param, code=where.code
        )

    if verdict.invalid:
        raise refuse(verdict.invalid)
    if strict and verdict.strict:
        raise refuse(verdict.strict, strict_param)
    if verdict.unmeetable:
        raise refuse(verdict.unmeetable)
    problem = too_much(verdict.need, max_tokens, ceiling) if verdict.need is not None else None
    if problem:
        raise refuse(f"{problem}.")


def check_tools(
    tool_list: Sequence[dict[str, Any]] | None,
    tool_choice: Any,
    *,
    max_tokens: int | None = None,
    ceiling: int | None = None,
) -> None:
    for position, tool in enumerate(tool_list or ()):
        function = tools.function_of(tool)
        if not isinstance(function.get("name"), str):
            raise _missing(f"tools[{position}].function.name")
        _check_parameters(function, f"tools[{position}].function.parameters", max_tokens, ceiling)
    if tool_choice is None:
        return
    if not tool_list:
        raise InvalidRequest(
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
            param="tool_choice",
        )
    if isinstance(tool_choice, str) and tool_choice not in ("none", "auto", "required"):
        raise InvalidRequest(
            f"Invalid value: '{tool_choice}'. Supported values are: 'none', 'auto', and 'required'.",
            param="tool_choice",
        )
    name = tools.named_choice(tool_choice)
    if isinstance(tool_choice, dict) and name is None:
        raise _missing("tool_choice.function.name")
    if name is not None and all(tools.function_of(t).get("name") != name for t in tool_list):
        raise InvalidRequest(
            f"Invalid value for 'tool_choice': function '{name}' is not one of the functions in 'tools'.",
            param="tool_choice",
        )


def check_functions(
    functions: Sequence[Any] | None, *, max_tokens: int | None = None, ceiling: int | None = None
) -> None:
    """The deprecated `functions` list, checked as `tools` are."""
    for position, function in enumerate(functions or ()):
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            _check_parameters(function, f"functions[{position}].parameters", max_tokens, ceiling)


def _check_parameters(
    function: dict[str, Any], param: str, max_tokens: int | None, ceiling: int | None
) -> None:
    if "parameters" not in function:
        return
    check_schema(
        function["parameters"],
        Where(f"function '{function['name']}'", param, FUNCTION_CODE),
        strict=function.get("strict") is True,
        max_tokens=max_tokens,
        ceiling=ceiling,
    )

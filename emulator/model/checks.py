"""Request checks the model needs before it can answer: response_format and tool_choice, as the service
rejects them (400, naming `param`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emulator.errors import InvalidRequest
from emulator.model import canonical_json, tools
from emulator.model.memo import Memo


def _missing(param: str) -> InvalidRequest:
    return InvalidRequest(
        f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def check_response_format(
    response_format: dict[str, Any] | None, messages: Sequence[dict[str, Any]], canonical: str | None = None
) -> None:
    """`canonical`: the response format as canonical JSON, when the caller has it already."""
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
        if spec.get("strict") is True:
            subject = f"response_format '{spec['name']}'"
            key = None if canonical is None else "response_format:" + canonical
            _check_strict(spec.get("schema") or {}, subject, "response_format", key)


def _strict_problem(schema: Any, context: tuple[str, ...]) -> str | None:
    """The first rule of strict mode the schema breaks: every object closes its properties and requires
    all of them (optional fields are spelled as a union with null)."""
    if isinstance(schema, list):
        for position, item in enumerate(schema):
            problem = _strict_problem(item, (*context, str(position)))
            if problem:
                return problem
        return None
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    is_object = kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in schema
    if is_object:
        if schema.get("additionalProperties") is not False:
            return (
                f"In context={context!r}, 'additionalProperties' is required to be supplied and to be false."
            )
        required = schema.get("required") or ()
        missing = [k for k in schema.get("properties") or {} if k not in required]
        if missing:
            return (
                f"In context={context!r}, 'required' is required to be supplied and to be an array including "
                f"every key in properties. Missing '{missing[0]}'."
            )
    for key in ("properties", "$defs", "definitions"):
        for name, sub in (schema.get(key) or {}).items():
            problem = _strict_problem(sub, (*context, key, name))
            if problem:
                return problem
    for key in ("items", "anyOf", "allOf", "oneOf", "prefixItems"):
        if key in schema:
            problem = _strict_problem(schema[key], (*context, key))
            if problem:
                return problem
    return None


# Clients send the same schema with every request: each distinct one is checked once.
_STRICT_PROBLEMS: Memo[str | None] = Memo(256)


def _check_strict(schema: dict[str, Any], subject: str, param: str, key: str | None = None) -> None:
    """`key`: canonical JSON that names the schema (the whole response format will do)."""
    key = key or "schema:" + canonical_json(schema)
    problem = _STRICT_PROBLEMS.get(key, _strict_problem, schema, ())
    if problem:
        raise InvalidRequest(f"Invalid schema for {subject}: {problem}", param=param)


def check_tools(tool_list: Sequence[dict[str, Any]] | None, tool_choice: Any) -> None:
    for position, tool in enumerate(tool_list or ()):
        function = tools.function_of(tool)
        if not isinstance(function.get("name"), str):
            raise _missing(f"tools[{position}].function.name")
        if function.get("strict") is True:
            _check_strict(
                function.get("parameters") or {},
                f"function '{function['name']}'",
                f"tools[{position}].function.parameters",
            )
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

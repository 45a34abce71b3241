"""`text.format`, `tools` and `tool_choice` of a Responses request → the chat model's Shape, checked as
chat checks them, with errors naming the Responses fields; and the values the response echoes."""

from __future__ import annotations

import re
from typing import Any

from emulator.api.responses.schemas import ConversationRequest
from emulator.errors import InvalidRequest
from emulator.model import Shape, canonical_json
from emulator.model.checks import check_response_format, check_tools

# Chat's names for the fields, and the Responses names errors must give instead.
_RENAMES = (
    (re.compile(r"^response_format\.json_schema\.?"), "text.format."),
    (re.compile(r"^response_format\.?"), "text.format."),
    (re.compile(r"^messages\b"), "input"),
    (re.compile(r"^tools\[(\d+)\]\.function\."), r"tools[\1]."),
    (re.compile(r"^tool_choice\.function\."), "tool_choice."),
)


def _renamed(param: str) -> str:
    for pattern, replacement in _RENAMES:
        if pattern.search(param):
            return pattern.sub(replacement, param).rstrip(".")
    return param


def _in_responses_terms(error: InvalidRequest) -> InvalidRequest:
    if error.param is None:
        return error
    param = _renamed(error.param)
    message = error.message.replace(f"'{error.param}'", f"'{param}'")
    return InvalidRequest(message, param=param, code=error.openai_code or "invalid_value")


def chat_tools(tools: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    converted = []
    for position, tool in enumerate(tools or ()):
        kind = tool.get("type")
        if kind != "function":
            raise InvalidRequest(
                f"Invalid value: '{kind}'. The emulator's Responses API serves tools of type 'function' "
                "only.",
                param=f"tools[{position}].type",
            )
        if not isinstance(tool.get("name"), str):
            raise InvalidRequest(
                f"Missing required parameter: 'tools[{position}].name'.",
                param=f"tools[{position}].name",
                code="missing_required_parameter",
            )
        function = {key: tool[key] for key in ("name", "description", "parameters", "strict") if key in tool}
        converted.append({"type": "function", "function": function})
    return converted


def chat_tool_choice(choice: str | dict[str, Any] | None) -> str | dict[str, Any] | None:
    if isinstance(choice, dict) and choice.get("type") == "function":
        return {"type": "function", "function": {"name": choice.get("name")}}
    return choice


def chat_response_format(text_format: dict[str, Any] | None) -> dict[str, Any] | None:
    if text_format is None or text_format.get("type") == "text":
        return None
    if text_format.get("type") != "json_schema":
        return dict(text_format)
    for name in ("name", "schema"):
        if name not in text_format:
            raise InvalidRequest(
                f"Missing required parameter: 'text.format.{name}'.",
                param=f"text.format.{name}",
                code="missing_required_parameter",
            )
    spec = {
        key: text_format[key] for key in ("name", "description", "schema", "strict") if key in text_format
    }
    return {"type": "json_schema", "json_schema": spec}


def model_shape(
    request: ConversationRequest,
    messages: list[dict[str, Any]],
    limit: int | None,
    ceiling: int | None,
    *,
    logprobs: bool = False,
    top_logprobs: int = 0,
) -> Shape:
    text_format = request.text.format if request.text else None
    response_format = chat_response_format(text_format)
    written = None if response_format is None else canonical_json(response_format)
    tools = chat_tools(request.tools)
    # Without tools, only the choices that call nothing stand on their own.
    sent_choice = request.tool_choice
    checked = tools or (sent_choice is not None and sent_choice not in ("auto", "none"))
    choice = chat_tool_choice(sent_choice) if checked else None
    if (
        response_format
        and response_format.get("type") == "json_object"
        and "json" not in str(messages).lower()
    ):
        raise InvalidRequest(
            "Response input messages must contain the word 'json' in some form to use 'text.format' of "
            "type 'json_object'.",
            param="input",
        )
    try:
        check_response_format(response_format, messages, written, max_tokens=limit, ceiling=ceiling)
        check_tools(tools, choice, max_tokens=limit, ceiling=ceiling)
    except InvalidRequest as error:
        raise _in_responses_terms(error) from None
    return Shape(
        response_format=response_format,
        response_format_json=written,
        tools=tuple(tools),
        tool_choice=choice,
        parallel_tool_calls=request.parallel_tool_calls is not False,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
    )


def echoed_text(request: ConversationRequest) -> dict[str, Any]:
    sent = request.text
    return {
        "format": (sent.format if sent and sent.format else None) or {"type": "text"},
        "verbosity": (sent.verbosity if sent else None) or "medium",
    }


def echoed_tools(request: ConversationRequest) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "description": tool.get("description"),
            "name": tool["name"],
            "parameters": tool.get("parameters"),
            "strict": tool.get("strict", True),
        }
        for tool in request.tools or ()
    ]

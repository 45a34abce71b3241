"""Tool calls: when the model calls a tool, which ones, with what arguments, and the turn after.

The rule for `tool_choice: "auto"` (the default when `tools` are sent), documented in the README:
the model calls a tool when the last message is the user's and one of its words (ignoring case, common
words and a plural "s") appears in a tool's name (split at "_", "-", "." and camelCase) or description.
Every tool that shares a word is called, best match first, unless `parallel_tool_calls` is false, in
which case only the best one is. A conversation that ends with `tool` results gets a text answer that
reports them. `"required"` calls the matching tools, or the first tool when none matches; naming a
function calls exactly that function; `"none"` never calls.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emulator import jsontext
from emulator.model import structured, text

_WORD = re.compile(r"[A-Za-z][a-z]*|[A-Z]+(?![a-z])|\d+")
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


def _stem(word: str) -> str:
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(value: str) -> set[str]:
    return {
        _stem(w)
        for w in _WORD.findall(value.replace("_", " ").replace("-", " ").replace(".", " "))
        if len(w) > 2 and w.lower() not in text.STOPWORDS
    }


def function_of(tool: dict[str, Any]) -> dict[str, Any]:
    function = tool.get("function")
    return function if isinstance(function, dict) else {}


def _matches(tools: Sequence[dict[str, Any]], prompt: str) -> list[dict[str, Any]]:
    """The tools sharing a word with the prompt, best first (ties keep the order they were sent in)."""
    asked = _words(prompt)
    scored = []
    for position, tool in enumerate(tools):
        function = function_of(tool)
        shared = asked & _words(f"{function.get('name', '')} {function.get('description', '')}")
        if shared:
            scored.append((-len(shared), position, tool))
    return [tool for _, _, tool in sorted(scored, key=lambda item: item[:2])]


def named_choice(tool_choice: Any) -> str | None:
    if isinstance(tool_choice, dict):
        function = tool_choice.get("function")
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            return str(function["name"])
    return None


def legacy_functions(sent: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    """The deprecated `functions`/`function_call` pair as `tools`/`tool_choice`."""
    functions = [
        {"type": "function", "function": f} for f in sent.get("functions") or () if isinstance(f, dict)
    ]
    choice = sent.get("function_call")
    if isinstance(choice, dict) and isinstance(choice.get("name"), str):
        return functions, {"type": "function", "function": {"name": choice["name"]}}
    return functions, choice if choice in ("none", "auto") else None


def chosen(
    messages: Sequence[dict[str, Any]],
    tools: Sequence[dict[str, Any]],
    tool_choice: Any,
    parallel: bool,
    last_user: str,
) -> list[dict[str, Any]]:
    """The tools this turn calls, in call order (empty: answer in text)."""
    if not tools or tool_choice == "none":
        return []
    name = named_choice(tool_choice)
    if name is not None:
        return [t for t in tools if function_of(t).get("name") == name][:1]
    if tool_choice == "required":
        picked = _matches(tools, last_user) or [tools[0]]
    elif not messages or messages[-1].get("role") != "user":
        return []
    else:
        picked = _matches(tools, last_user)
    return picked if parallel else picked[:1]


def call_id(digest: bytes, choice: int, position: int) -> str:
    raw = hashlib.sha256(digest + b"call" + bytes([choice % 256, position % 256])).digest()
    return "call_" + "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in raw[:24])


def calls(
    tools: Sequence[dict[str, Any]],
    picked: Sequence[dict[str, Any]],
    vocab: structured.Vocabulary,
    rng: random.Random,
    digest: bytes,
    choice: int,
) -> list[ToolCall]:
    out = []
    for position, tool in enumerate(picked):
        function = function_of(tool)
        parameters = function.get("parameters") or {"type": "object", "properties": {}}
        try:
            arguments = structured.instance(parameters, vocab, rng)
        except structured.SchemaError as error:
            error.param = f"tools[{tools.index(tool)}].function.parameters"
            raise
        out.append(
            ToolCall(
                call_id(digest, choice, position),
                str(function.get("name", "")),
                jsontext.compact(arguments),
            )
        )
    return out


# -- the turn after: answering from tool results ------------------------------------------------------


def _results(messages: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(function name, content) of the tool messages that end the conversation."""
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict):
                names[str(call.get("id"))] = str((call.get("function") or {}).get("name", "the tool"))
    results: list[tuple[str, str]] = []
    for message in reversed(messages):
        if message.get("role") not in ("tool", "function"):
            break
        name = names.get(str(message.get("tool_call_id")), str(message.get("name") or "the tool"))
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        results.append((name, str(content or "")))
    return list(reversed(results))


def _humanize(key: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(key.replace("_", " "))) or key


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        facts = [f"the {_humanize(k)} is {_describe(v)}" for k, v in value.items() if not isinstance(v, dict)]
        facts += [f"{_humanize(k)}: {_describe(v)}" for k, v in value.items() if isinstance(v, dict)]
        return ", ".join(facts) if facts else "empty"
    if isinstance(value, list):
        shown = ", ".join(_describe(v) for v in value[:5])
        more = f" and {len(value) - 5} more" if len(value) > 5 else ""
        return f"{shown}{more}" if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def ends_with_results(messages: Sequence[dict[str, Any]]) -> bool:
    return bool(messages) and messages[-1].get("role") in ("tool", "function")


def answer_from_results(messages: Sequence[dict[str, Any]], last_user: str, rng: random.Random) -> str:
    parts = []
    for name, content in _results(messages):
        try:
            data = json.loads(content)
        except ValueError:
            data = content.strip()
        facts = _describe(data) if not isinstance(data, str) else data
        label = re.sub(r"^(get|fetch|lookup|look up|search|find|query|list|read)\s+", "", _humanize(name))
        parts.append(
            rng.choice([f"According to {label}, {facts}.", f"The {label} result: {facts}."])
            if facts
            else f"{label} returned no data."
        )
    question = last_user.strip().rstrip("?")
    opener = (
        rng.choice([f'Here is what I found for "{question}":', "Here is what I found:"]) if question else ""
    )
    body = " ".join(p[:1].upper() + p[1:] for p in parts)
    return f"{opener} {body}".strip()

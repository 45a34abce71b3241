"""Scripted answers: "when the last user message matches this, answer that".

A rule, as JSON (the same in the Python API, `POST /_emulator/scripts` and `serve --scripts FILE`):

    {"match": "refund",            # the last user message contains this text (case-insensitive), or
     "regex": "order #\\d+",       # a regular expression found in it (re.search); neither: every message
     "deployment": "gpt-4o",       # optional: only requests to this deployment
     "reply": ...,                 # one answer, given every time (or `times` times), or
     "replies": [..., ...],        # a queue: each request takes the next; the rule ends when it is empty
     "times": 2}                   # optional, with `reply`: how many requests it answers

An answer is a string (the text), or an object with one of:
    {"content": "text"}, {"json": {...}}  (sent as compact JSON text),
    {"tool_calls": [{"name": "get_weather", "arguments": {...}}]},
    {"error": {"status": 429, "code": "rate_limit_exceeded", "message": "...", "param": null}},
and optionally {"content_filter": "violence"} to have the answer filtered in that category.

Rules are tried in the order they were added; the first that matches and still has answers wins.
A request takes one answer (every choice of an `n` > 1 request gets it). Unmatched requests go to the
deterministic model.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import jsontext
from emulator.control.api import ScriptError
from emulator.errors import ApiError
from emulator.model import safety

_REPLY_KEYS = {"content", "json", "tool_calls", "error", "content_filter"}
_RULE_KEYS = {"match", "regex", "deployment", "reply", "replies", "times"}


@dataclass(frozen=True)
class ScriptedCall:
    name: str
    arguments: str


@dataclass(frozen=True)
class ScriptedError:
    status: int
    code: str
    message: str
    param: str | None = None


@dataclass(frozen=True)
class Reply:
    content: str | None = None
    tool_calls: tuple[ScriptedCall, ...] = ()
    error: ScriptedError | None = None
    content_filter: str | None = None


@dataclass
class Rule:
    id: str
    match: str | None
    regex: re.Pattern[str] | None
    deployment: str | None
    replies: deque[Reply]
    remaining: int | None  # None: the single reply repeats for ever
    source: dict[str, Any] = field(repr=False, default_factory=dict)

    def matches(self, text: str, deployment: str) -> bool:
        if self.deployment is not None and self.deployment != deployment:
            return False
        if self.match is not None and self.match.lower() not in text.lower():
            return False
        return not (self.regex is not None and not self.regex.search(text))

    def take(self) -> Reply | None:
        if not self.replies or self.remaining == 0:
            return None
        if self.remaining is None:
            return self.replies[0]
        self.remaining -= 1
        return self.replies.popleft() if len(self.replies) > 1 or self.remaining == 0 else self.replies[0]


def parse_reply(raw: Any, where: str) -> Reply:
    if isinstance(raw, str):
        return Reply(content=raw)
    if not isinstance(raw, dict):
        raise ScriptError(f"'{where}' must be a string or an object", where)
    unknown = sorted(set(raw) - _REPLY_KEYS)
    if unknown:
        raise ScriptError(
            f"'{where}' has an unknown field '{unknown[0]}'; use one of {sorted(_REPLY_KEYS)}", where
        )
    category = raw.get("content_filter")
    if category is not None and category not in safety.ANSWER_CATEGORIES:
        raise ScriptError(
            f"'{where}.content_filter' must be one of {', '.join(safety.ANSWER_CATEGORIES)}",
            f"{where}.content_filter",
        )
    if "error" in raw:
        return Reply(error=_parse_error(raw["error"], f"{where}.error"))
    if "tool_calls" in raw:
        calls = raw["tool_calls"]
        if not isinstance(calls, list) or not calls:
            raise ScriptError(f"'{where}.tool_calls' must be a non-empty array", f"{where}.tool_calls")
        return Reply(
            tool_calls=tuple(_parse_call(c, f"{where}.tool_calls[{i}]") for i, c in enumerate(calls))
        )
    if "json" in raw:
        return Reply(jsontext.compact(raw["json"]), content_filter=category)
    content = raw.get("content")
    if not isinstance(content, str) and category is None:
        raise ScriptError(f"'{where}' needs 'content', 'json', 'tool_calls' or 'error'", where)
    return Reply(content if isinstance(content, str) else "", content_filter=category)


def _parse_call(raw: Any, where: str) -> ScriptedCall:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ScriptError(f"'{where}' must be an object with a 'name'", f"{where}.name")
    arguments = raw.get("arguments", {})
    text = arguments if isinstance(arguments, str) else json.dumps(arguments, separators=(",", ":"))
    return ScriptedCall(raw["name"], text)


def _parse_error(raw: Any, where: str) -> ScriptedError:
    if not isinstance(raw, dict):
        raise ScriptError(f"'{where}' must be an object with 'status' and 'code'", where)
    status = raw.get("status", 400)
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        raise ScriptError(f"'{where}.status' must be an HTTP error status (400-599)", f"{where}.status")
    code = raw.get("code")
    if not isinstance(code, str):
        raise ScriptError(f"'{where}.code' must be a string, e.g. 'rate_limit_exceeded'", f"{where}.code")
    message = raw.get("message") or f"Scripted error: {code}."
    param = raw.get("param")
    return ScriptedError(status, code, str(message), None if param is None else str(param))


def parse_rule(raw: Any, rule_id: str) -> Rule:
    if not isinstance(raw, dict):
        raise ScriptError("a rule must be an object", "rules")
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise ScriptError(f"unknown rule field '{unknown[0]}'; use {sorted(_RULE_KEYS)}", unknown[0])
    for name in ("match", "regex", "deployment"):
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise ScriptError(f"'{name}' must be a string", name)
    try:
        pattern = re.compile(raw["regex"]) if raw.get("regex") is not None else None
    except re.error as error:
        raise ScriptError(f"'regex' is not a valid regular expression: {error}", "regex") from None
    has_reply, has_queue = "reply" in raw, "replies" in raw
    if has_reply == has_queue:
        raise ScriptError("a rule needs exactly one of 'reply' or 'replies'", "reply")
    times = raw.get("times")
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise ScriptError("'times' must be an integer >= 1", "times")
    if has_queue:
        queue = raw["replies"]
        if not isinstance(queue, list) or not queue:
            raise ScriptError("'replies' must be a non-empty array", "replies")
        replies = deque(parse_reply(r, f"replies[{i}]") for i, r in enumerate(queue))
        remaining: int | None = len(replies)
    else:
        replies = deque([parse_reply(raw["reply"], "reply")])
        remaining = times
    return Rule(rule_id, raw.get("match"), pattern, raw.get("deployment"), replies, remaining, dict(raw))


class ScriptBook:
    """The rules in force; safe to change from any thread while requests are answered on others."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def add(self, raws: Iterable[Any]) -> list[str]:
        """Adds all the rules or, when one is invalid, none."""
        with self._lock:
            parsed = [parse_rule(raw, f"script_{next(self._ids)}") for raw in raws]
            self._rules.extend(parsed)
        return [rule.id for rule in parsed]

    def clear(self) -> int:
        with self._lock:
            count = len(self._rules)
            self._rules.clear()
        return count

    def __bool__(self) -> bool:
        return bool(self._rules)

    def take(self, text: str, deployment: str) -> Reply | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(text, deployment):
                    reply = rule.take()
                    if reply is not None:
                        return reply
        return None

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"id": r.id, **r.source, "remaining": r.remaining if r.replies else 0}
                for r in self._rules
                if r.remaining != 0
            ]


def rules_from_json(data: Any) -> list[Any]:
    """A rule, a list of rules, or {"rules": [...]}."""
    if isinstance(data, dict) and "rules" in data and set(data) <= {"rules"}:
        data = data["rules"]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise ScriptError('send a rule, an array of rules, or {"rules": [...]}', "rules")


def load_file(path: str) -> list[Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ScriptError(f"cannot read the scripts file {path}: {error}", "scripts_file") from None
    return rules_from_json(data)


class ScriptedApiError(ApiError):
    """A scripted error, rendered in the envelope of the surface that was called."""

    def __init__(self, error: ScriptedError) -> None:
        super().__init__(
            error.message,
            param=error.param,
            openai_code=error.code,
            azure_code=error.code,
            status=error.status,
        )
        if error.status >= 500:
            self.openai_type = "server_error"
        elif error.status == 429:
            self.headers = {"retry-after": "1"}

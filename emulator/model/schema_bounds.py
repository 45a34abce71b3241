"""How much output a JSON schema asks for at the least, and whether that fits the answer's token limit.

A schema's bounds (`minItems`, `minLength`, `minProperties`, a `pattern`'s repeats, required
properties through `$ref`s) can ask for more output than any answer may hold, or for output that never
ends. Both are found here, before anything is generated, by working out the least output each part of
the schema allows, in tokens (a lower bound: strings count one token per CHARS_PER_TOKEN characters).
The generator also asks which branch of a union, or which of several types, needs the least, so that
once it stops filling optional parts, the rest of its answer is as small as the schema allows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The most tokens an answer holds when the caller names no model ceiling (gpt-4o and gpt-4o-mini write at
# most 16,384); the generator also sizes its work by it.
OUTPUT_TOKEN_LIMIT = 16_384

CHARS_PER_TOKEN = 8  # generated strings are words; few tokens are longer than this
MAX_NESTING = 200  # values nested deeper than this (through $refs) are refused
MAX_STEPS = 30_000  # schema nodes visited by one analysis: its time budget

INFINITE = math.inf
BOUND_KEYWORDS = frozenset({"minItems", "minLength", "minProperties", "pattern", "prefixItems"})


class SchemaError(ValueError):
    """The schema cannot be satisfied (e.g. an unresolvable $ref); its message names the place."""

    param = "response_format.json_schema.schema"

    def __init__(self, message: str, keyword: str | None = None, path: str = "#") -> None:
        super().__init__(message)
        self.keyword = keyword
        self.path = path


def resolve(root: Any, ref: Any) -> dict[str, Any]:
    """The schema a local `$ref` (a JSON pointer into the root schema) points at."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise SchemaError(f"only local references are supported, got '{ref}'", "$ref")
    node: Any = root
    for part in filter(None, ref[1:].split("/")):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise SchemaError(f"the reference '{ref}' does not resolve", "$ref")
    if not isinstance(node, dict):
        raise SchemaError(f"the reference '{ref}' does not point at a schema", "$ref")
    return node


def merge_all(root: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """An `allOf` as one schema: properties and required lists joined, other keys taken first-come."""
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        part = resolve(root, part["$ref"]) if isinstance(part, dict) and "$ref" in part else part
        if not isinstance(part, dict):
            continue
        for key, val in part.items():
            if key == "properties" and isinstance(val, dict):
                merged["properties"] = {**(merged.get("properties") or {}), **val}
            elif key == "required" and isinstance(val, list):
                merged["required"] = list(dict.fromkeys([*(merged.get("required") or []), *val]))
            else:
                merged.setdefault(key, val)
    return merged


@dataclass(frozen=True)
class Need:
    """The least output a schema allows, in tokens, and what asks for most of it: a keyword and the
    JSON pointer of the schema that holds it (for a need that cannot be met, `why` says so)."""

    tokens: float
    keyword: str | None = None
    path: str = "#"
    why: str = ""

    @property
    def endless(self) -> bool:
        return self.tokens == INFINITE


_ONE = Need(1.0)


def _literal(value: Any) -> float:
    return 1.0 + len(repr(value)) // CHARS_PER_TOKEN


def _count(schema: dict[str, Any], key: str, default: int) -> int:
    value = schema.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return default
    return max(0, int(value))


class Floor:
    """The least output of the parts of one schema, each worked out once.

    A `$ref` (or `allOf`) met again while its own need is being worked out is a loop: on that path a
    value never ends, and the need is infinite unless another branch of a union ends it. Needs found
    while such a loop was open depend on where the search started, so they are not kept."""

    def __init__(self, root: Any, pattern_chars: Callable[[str], int]) -> None:
        self.root = root
        self.pattern_chars = pattern_chars
        self._memo: dict[int, tuple[Any, Need]] = {}  # holding the schema keeps its id from being reused
        self._open: dict[Any, str] = {}  # the $refs and allOfs being worked out, and where they were met
        self._loops = 0
        self._steps = 0

    def need(self, schema: Any, path: str = "#", level: int = 0) -> Need:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise SchemaError(
                f"the schema is too large or too intricate to generate from (more than {MAX_STEPS:,} "
                "parts to visit); simplify it or split it",
                None,
                path,
            )
        if schema is True or schema is None:
            return _ONE
        if schema is False:
            return Need(INFINITE, None, path, "is false: no value is allowed there")
        if not isinstance(schema, dict):
            return Need(INFINITE, None, path, "is not a schema object")
        if level > MAX_NESTING:
            return Need(INFINITE, "$ref", path, f"nests values more than {MAX_NESTING} levels deep")
        kept = self._memo.get(id(schema))
        if kept is not None:
            return kept[1]
        loops = self._loops
        found = self._need(schema, path, level)
        if self._loops == loops:
            self._memo[id(schema)] = (schema, found)
        return found

    def _enter(self, token: Any, path: str, keyword: str) -> Need | None:
        if token in self._open:
            self._loops += 1
            return Need(
                INFINITE, keyword, self._open[token], "refers back to itself, so a required value never ends"
            )
        self._open[token] = path
        return None

    def _need(self, schema: dict[str, Any], path: str, level: int) -> Need:
        if "$ref" in schema:
            try:
                target = resolve(self.root, schema["$ref"])
            except SchemaError as error:
                error.path = path + "/$ref"
                raise
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            token: Any = ("$ref", id(target), tuple(sorted((k, id(v)) for k, v in siblings.items())))
            loop = self._enter(token, path + "/$ref", "$ref")
            if loop:
                return loop
            try:
                return self.need({**target, **siblings}, path, level + 1)
            finally:
                self._open.pop(token, None)
        if isinstance(schema.get("allOf"), list):
            token = ("allOf", id(schema["allOf"]))
            loop = self._enter(token, path + "/allOf", "allOf")
            if loop:
                return loop
            try:
                try:
                    merged = merge_all(self.root, schema)
                except SchemaError as error:
                    error.path = path + "/allOf"
                    raise
                return self.need(merged, path, level)
            finally:
                self._open.pop(token, None)
        if "const" in schema:
            return Need(_literal(schema["const"]))
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return Need(min(_literal(v) for v in schema["enum"]))
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                needs = [self.need(b, f"{path}/{key}/{i}", level) for i, b in enumerate(branches)]
                return min(needs, key=lambda n: n.tokens)
        kind = schema.get("type")
        if isinstance(kind, list):
            if "null" in kind or not kind:
                return _ONE
            needs = [self.typed(schema, str(k), path, level) for k in kind]
            return min(needs, key=lambda n: n.tokens)
        return self.typed(schema, kind_of(schema), path, level)

    def typed(self, schema: dict[str, Any], kind: str, path: str, level: int) -> Need:
        """The need of `schema` read as one type (a schema may list several)."""
        if kind == "object":
            return self._object(schema, path, level)
        if kind == "array":
            return self._array(schema, path, level)
        if kind == "string":
            return self._string(schema, path)
        if kind in ("integer", "number"):
            return self._number(schema, path, kind == "integer")
        return _ONE

    def _object(self, schema: dict[str, Any], path: str, level: int) -> Need:
        given = schema.get("properties")
        properties: dict[str, Any] = given if isinstance(given, dict) else {}
        required = set(schema.get("required") or ()) if isinstance(schema.get("required"), list) else set()
        extra = schema.get("additionalProperties")
        wanted = _count(schema, "minProperties", 0 if properties else 1 if extra not in (None, False) else 0)
        if "maxProperties" in schema and wanted > _count(schema, "maxProperties", wanted):
            return Need(INFINITE, "minProperties", path, "is more than its 'maxProperties'")
        if extra is False and wanted > len(properties):
            return Need(
                INFINITE,
                "minProperties",
                path,
                f"cannot be met: 'additionalProperties' is false and only {len(properties)} properties "
                "are defined",
            )
        total, heaviest = 1.0, _ONE
        present = 0
        for key, sub in properties.items():
            if key in required:
                present += 1
                child = self.need(sub, f"{path}/properties/{_escape(key)}", level + 1)
                if child.endless:
                    return child
                total += 1 + child.tokens
                heaviest = max(heaviest, child, key=lambda n: n.tokens)
        missing = wanted - present
        if missing > 0:
            filler = self.need(
                extra if isinstance(extra, dict) else True, f"{path}/additionalProperties", level + 1
            )
            if filler.endless:
                return filler
            share = missing * (1 + filler.tokens)
            total += share
            if share >= heaviest.tokens:
                heaviest = filler if filler.tokens > missing else Need(share, "minProperties", path)
        return Need(total, heaviest.keyword, heaviest.path)

    def _array(self, schema: dict[str, Any], path: str, level: int) -> Need:
        low = _count(schema, "minItems", 0)
        high = _count(schema, "maxItems", max(low, 3))
        if high < low:
            return Need(INFINITE, "minItems", path, "is more than its 'maxItems'")
        given = schema.get("prefixItems")
        prefix: list[Any] = given if isinstance(given, list) else []
        count = max(low, min(len(prefix), high))
        total, heaviest = 1.0, _ONE
        for position, sub in enumerate(prefix[:count]):
            child = self.need(sub, f"{path}/prefixItems/{position}", level + 1)
            if child.endless:
                return child
            total += 1 + child.tokens
            heaviest = max(heaviest, child, key=lambda n: n.tokens)
        rest = count - len(prefix)
        if rest > 0:
            items = schema.get("items", True)
            if items is False:
                return Need(
                    INFINITE,
                    "minItems",
                    path,
                    f"cannot be met: 'items' is false after {len(prefix)} prefixItems",
                )
            child = self.need(items, f"{path}/items", level + 1)
            if child.endless:
                return child
            share = rest * (1 + child.tokens)
            total += share
            # Blame the bound that multiplies, unless what it multiplies is the larger part.
            heaviest = child if child.tokens > rest else Need(share, "minItems", path)
        return Need(total, heaviest.keyword, heaviest.path)

    def _string(self, schema: dict[str, Any], path: str) -> Need:
        low = _count(schema, "minLength", 0)
        if "maxLength" in schema and _count(schema, "maxLength", low) < low:
            return Need(INFINITE, "minLength", path, "is more than its 'maxLength'")
        pattern = schema.get("pattern")
        written = self.pattern_chars(pattern) if isinstance(pattern, str) else 0
        keyword = "minLength" if low >= written else "pattern"
        chars = max(low, written)
        return Need(1.0 + chars // CHARS_PER_TOKEN, keyword if chars > CHARS_PER_TOKEN else None, path)

    def _number(self, schema: dict[str, Any], path: str, integer: bool) -> Need:
        def bound(key: str, shift: float = 0.0) -> float | None:
            value = schema.get(key)
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            return float(value) + shift if ok and value is not None else None

        step = 1.0 if integer else 1e-9
        lows = [bound("minimum"), bound("exclusiveMinimum", step)]
        highs = [bound("maximum"), bound("exclusiveMaximum", -step)]
        low = max((v for v in lows if v is not None), default=None)
        high = min((v for v in highs if v is not None), default=None)
        if low is not None and high is not None:
            if integer:
                low, high = math.ceil(low - 1e-9), math.floor(high + 1e-9)
            if low > high:
                kind = "integer" if integer else "number"
                return Need(
                    INFINITE, "minimum", path, f"leaves no {kind} between the minimum and the maximum"
                )
        return _ONE


def kind_of(schema: dict[str, Any]) -> str:
    """The type a schema without a single `type` is taken as (its keywords say what it holds)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        return "number"
    return "string"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def too_much(need: Need, max_tokens: int | None, ceiling: int | None = None) -> str | None:
    """Why the schema's least output cannot be written within the token limits, or None when it can.

    An answer is cut at `max_tokens` like any other, so a schema that merely needs more than a small
    `max_tokens` is answered (and cut); only the bounds that ask for more than the limit allow, or for
    more than the model ever writes (`ceiling`, its output limit), are refused."""
    if need.endless:
        return f"'{need.keyword or 'schema'}' at '{short(need.path)}' {need.why}"
    ceiling = ceiling or OUTPUT_TOKEN_LIMIT
    limit = min(max_tokens, ceiling) if max_tokens else ceiling
    if need.tokens <= limit or (need.tokens <= ceiling and need.keyword not in BOUND_KEYWORDS):
        return None
    where = short(need.path)
    what = f"'{need.keyword}' at '{where}'" if need.keyword else f"the schema at '{where}'"
    allowed = (
        f"max_tokens allows {limit:,}"
        if limit < ceiling
        else f"the model writes at most {ceiling:,} tokens in one answer"
    )
    return f"{what} asks for at least {_amount(need.tokens)} tokens of output, but {allowed}"


def short(path: str) -> str:
    """A JSON pointer short enough for a message."""
    return path if len(path) <= 160 else path[:60] + "/…/" + path[-90:]


def _amount(tokens: float) -> str:
    return f"{int(tokens):,}" if tokens < 1e15 else f"{tokens:.3g}"

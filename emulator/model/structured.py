"""JSON that a JSON Schema accepts, built deterministically and drawing on the prompt's words.

Supports what structured outputs and function parameters use: `type` (also as a list), `enum`, `const`,
`properties`/`required`/`additionalProperties`, `items`/`prefixItems`, `$ref` into `$defs`/`definitions`,
`anyOf`/`oneOf`/`allOf`, string `format`s, `pattern`, and numeric, length, item-count and property-count
bounds. Every optional property is filled, so answers look complete; past a few levels of nesting, or
once the answer is as long as a model's answer can be, only what the schema requires is written, taking
the smallest branch of every union, so recursive schemas end (schema_bounds has refused beforehand the
schemas whose least output never ends or cannot fit). A step budget bounds the work of one answer.
"""

from __future__ import annotations

import datetime
import importlib
import math
import random
import re
import string
import uuid
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from emulator.model import extract, text
from emulator.model.schema_bounds import (
    CHARS_PER_TOKEN,
    MAX_NESTING,
    OUTPUT_TOKEN_LIMIT,
    Floor,
    Need,
    SchemaError,
    kind_of,
    merge_all,
    resolve,
)

try:  # the regex parser moved in Python 3.11
    sre_parse: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    sre_parse = importlib.import_module("sre_parse")

_MAX_DEPTH = 6  # past this, only required properties and minimum item counts
_MAX_STEPS = 20_000  # values one answer may visit: a bound on its time whatever the schema
_FULL_TOKENS = 4_096  # past this many tokens, an answer writes only what its schema requires
_PATTERN_CHARS = 10_000  # a pattern that may write more than this writes every repeat at its minimum
_PHRASE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december today tomorrow yesterday".split()
)
_EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


@dataclass
class Vocabulary:
    """The prompt's words, ready to fill strings: key terms, proper-noun phrases and whole sentences."""

    source: str
    terms: list[str] = field(init=False)
    phrases: list[str] = field(init=False)
    sentences: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.terms = text.key_terms(self.source, 12) or ["example", "value", "item"]
        found = []
        for match in _PHRASE.finditer(self.source):
            words = match.group(0).split()
            if len(words) == 1 and _sentence_start(self.source, match.start()):
                continue  # "Please", "Describe": capitalised only because a sentence begins there
            while words and words[0].lower() in text.STOPWORDS | {"what's", "how's", "where's"}:
                words.pop(0)
            if words and all(w.lower() in _CALENDAR for w in words):
                continue  # "Friday", "March": dates, not names or places
            if words and " ".join(words) not in found:
                found.append(" ".join(words))
        self.phrases = found
        self.sentences = text.sentences(self.source)

    @cached_property
    def found(self) -> extract.Found:
        """The prompt's values (names, places, e-mail addresses, ages, dates...), for fields to take."""
        return extract.read(self.source)

    def value_for(self, name: str) -> str | int | None:
        return extract.value_for(name, self.found) if name else None

    @cached_property
    def title_terms(self) -> list[str]:
        return [t.title() for t in self.terms]


def _sentence_start(source: str, position: int) -> bool:
    before = source[:position].rstrip()
    return not before or before[-1] in ".!?:\n\"'"


# Keys that make a schema more than its `type`: references, compositions, fixed values.
_COMPOSITE_KEYS = frozenset({"$ref", "allOf", "const", "enum", "anyOf", "oneOf"})


__all__ = ["SchemaError", "Generator", "Vocabulary", "instance", "least_output", "vocabulary"]


class Generator:
    def __init__(
        self, root: dict[str, Any], vocab: Vocabulary, rng: random.Random, budget: int = _FULL_TOKENS
    ) -> None:
        self.root = root
        self.vocab = vocab
        self.rng = rng
        self.budget = budget  # tokens written in full; past them, only what the schema requires
        self.spent = 0  # tokens written so far, roughly
        self.steps = 0
        self._floor: Floor | None = None

    def _lean(self, depth: int) -> bool:
        return depth >= _MAX_DEPTH or self.spent > self.budget

    def _least(self, options: list[Any], depth: int) -> Any:
        """The option whose least output is smallest (the first of equals)."""
        if self._floor is None:
            self._floor = Floor(self.root, pattern_chars)
        floor = self._floor
        return min(options, key=lambda option: floor.need(option, level=depth).tokens)

    # -- dispatch -----------------------------------------------------------------------------------
    def value(self, schema: Any, name: str = "", depth: int = 0) -> Any:
        self.steps += 1
        self.spent += 1
        if self.steps > _MAX_STEPS or depth > MAX_NESTING:
            raise SchemaError(
                f"generating a value for '{name or '#'}' took more than {_MAX_STEPS:,} steps or "
                f"{MAX_NESTING} levels; simplify the schema"
            )
        if type(schema) is dict:
            kind = schema.get("type")
            # Most nodes are a plain typed schema: dispatched here without the general checks below.
            if type(kind) is str and schema.keys().isdisjoint(_COMPOSITE_KEYS):
                scalar = self._SCALARS.get(kind)
                if scalar is not None:
                    return scalar(self, schema, name)
                if kind == "object":
                    return self._object(schema, depth)
                if kind == "array":
                    return self._array(schema, name, depth)
        if schema is True or schema is None or schema == {}:
            return self._string({}, name)
        if not isinstance(schema, dict):
            raise SchemaError(f"expected a schema object at '{name or '#'}'")
        if "$ref" in schema:
            target = self._resolve(schema["$ref"])
            merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            return self.value(merged, name, depth + 1)
        if "allOf" in schema:
            return self.value(self._merge_all(schema), name, depth)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self._enum(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self.value(self._pick_branch(schema[key], depth), name, depth)
        kind = self._type(schema, depth)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "integer":
            return self._integer(schema, name)
        if kind == "number":
            return self._number(schema, name)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return self._string(schema, name)

    _SCALARS: dict[str, Any] = {
        "string": lambda self, schema, name: self._string(schema, name),
        "integer": lambda self, schema, name: self._integer(schema, name),
        "number": lambda self, schema, name: self._number(schema, name),
        "boolean": lambda self, schema, name: self.rng.random() < 0.5,
        "null": lambda self, schema, name: None,
    }

    def _resolve(self, ref: str) -> dict[str, Any]:
        return resolve(self.root, ref)

    def _merge_all(self, schema: dict[str, Any]) -> dict[str, Any]:
        return merge_all(self.root, schema)

    def _pick_branch(self, branches: list[Any], depth: int) -> Any:
        def is_null(branch: Any) -> bool:
            return isinstance(branch, dict) and branch.get("type") == "null"

        lean = self._lean(depth)
        if lean and any(is_null(b) for b in branches):
            return next(b for b in branches if is_null(b))
        concrete = [b for b in branches if not is_null(b)] or branches
        if lean and len(concrete) > 1:
            return self._least(concrete, depth)  # the branch that ends soonest: recursive unions end
        # Nullable fields ("X or null") get their value; real unions are chosen by the request's hash.
        return concrete[0] if len(concrete) == 1 else self.rng.choice(concrete)

    def _type(self, schema: dict[str, Any], depth: int) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            options = [str(k) for k in kind if k != "null"]
            lean = self._lean(depth)
            if not options or ("null" in kind and lean):
                return "null"
            if lean and len(options) > 1:
                return str(self._least([{**schema, "type": k} for k in options], depth)["type"])
            return options[0]
        return kind_of(schema)

    # -- containers ---------------------------------------------------------------------------------
    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        out: dict[str, Any] = {}
        for key, sub in properties.items():
            if key in required or not self._lean(depth):
                self.spent += 1
                out[key] = self.value(sub, key, depth + 1)
        extra = schema.get("additionalProperties")
        wanted = int(schema.get("minProperties", 0 if properties else 1 if extra not in (None, False) else 0))
        index = 0
        while len(out) < wanted and extra is not False:
            key = self.vocab.terms[index % len(self.vocab.terms)] + (
                "" if index < len(self.vocab.terms) else str(index)
            )
            out.setdefault(key, self.value(extra if isinstance(extra, dict) else {}, key, depth + 1))
            index += 1
        return out

    def _array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        prefix = schema.get("prefixItems") or []
        count = low if self._lean(depth) else max(low, min(high, self.rng.randint(2, 3), high))
        count = max(count, min(len(prefix), high))
        items = schema.get("items", {})
        singular = name[:-1] if name.endswith("s") else name
        out: list[Any] = []
        seen: set[str] = set()
        attempts = 0
        while len(out) < count and attempts < min(count * 8, count + 64):
            attempts += 1
            position = len(out)
            sub = prefix[position] if position < len(prefix) else items
            item = self.value(sub if sub is not False else {}, singular, depth + 1)
            marker = repr(item)
            # Repeats read badly even where allowed: retry a few times before accepting one (in short
            # arrays: a long one may hold more items than the values its schema can take).
            if marker in seen and (schema.get("uniqueItems") or (count <= 20 and attempts < count * 4)):
                continue
            seen.add(marker)
            out.append(item)
        return out

    # -- scalars ------------------------------------------------------------------------------------
    def _bounds(self, schema: dict[str, Any], integer: bool) -> tuple[float, float]:
        step = 1 if integer else 0.01
        low = schema.get("minimum", -float("inf"))
        high = schema.get("maximum", float("inf"))
        if "exclusiveMinimum" in schema and isinstance(schema["exclusiveMinimum"], (int, float)):
            low = max(low, schema["exclusiveMinimum"] + step)
        if "exclusiveMaximum" in schema and isinstance(schema["exclusiveMaximum"], (int, float)):
            high = min(high, schema["exclusiveMaximum"] - step)
        return low, high

    def _range(self, schema: dict[str, Any], name: str, integer: bool) -> tuple[float, float]:
        """The schema's bounds, narrowed to what the field's name suggests when they allow it."""
        low, high = self._bounds(schema, integer)
        d_low, d_high = _number_range(name)
        lo, hi = max(low, d_low), min(high, d_high)
        if lo > hi:  # the name's range lies outside the bounds: stay near the bound that is set
            lo, hi = (low, min(high, low + 100)) if low != -float("inf") else (max(low, high - 100), high)
        if integer:
            lo, hi = math.ceil(lo), math.floor(hi)
        if lo > hi:
            raise SchemaError(
                f"'{name or '#'}' has no {'integer' if integer else 'number'} within its bounds"
            )
        return lo, hi

    def _enum(self, options: list[Any]) -> Any:
        """The option the prompt mentions, if one is; else one chosen by the request's hash."""
        lowered = self.vocab.source.lower()
        for option in options:
            if (
                isinstance(option, str)
                and len(option) > 1
                and re.search(rf"\b{re.escape(option.lower())}\b", lowered)
            ):
                return option
        return self.rng.choice(options)

    def _from_prompt(self, name: str, lo: float, hi: float, integer: bool) -> float | None:
        """The prompt's number for this field (the age for `age`), when it lies within the bounds."""
        found = self.vocab.value_for(name)
        try:
            number = float(found) if found is not None and not isinstance(found, bool) else None
        except ValueError:
            return None
        if number is None or not lo <= number <= hi or (integer and not number.is_integer()):
            return None
        return number

    def _integer(self, schema: dict[str, Any], name: str) -> int:
        lo, hi = self._range(schema, name, integer=True)
        from_prompt = self._from_prompt(name, *self._bounds(schema, True), integer=True)
        if from_prompt is not None and not schema.get("multipleOf"):
            return int(from_prompt)
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            return int(self._multiple(lo, hi, step, name))
        return self.rng.randint(int(lo), int(hi))

    def _number(self, schema: dict[str, Any], name: str) -> float:
        lo, hi = self._range(schema, name, integer=False)
        from_prompt = self._from_prompt(name, *self._bounds(schema, False), integer=False)
        if from_prompt is not None and not schema.get("multipleOf"):
            return from_prompt
        value = min(max(round(self.rng.uniform(lo, hi), 2), lo), hi)
        step = schema.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0:
            value = self._multiple(lo, hi, step, name)
        return value

    def _multiple(self, lo: float, hi: float, step: float, name: str) -> float:
        try:
            first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        except (OverflowError, ValueError):
            raise SchemaError(f"'multipleOf' of '{name or '#'}' is too small for its bounds") from None
        if first > last:
            raise SchemaError(f"'{name or '#'}' has no multiple of {step} within its bounds")
        k = self.rng.randint(first, last)
        return k * step if isinstance(step, int) else round(k * step, 10)

    def _string(self, schema: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        found = self._prompt_string(name, fmt, pattern)
        if found is not None:
            value = found
        elif isinstance(fmt, str) and fmt in _FORMATS:
            value = _FORMATS[fmt](self)
        elif isinstance(pattern, str):
            value = self._from_pattern(pattern, name)
        else:
            value = self._named_string(name)
        value = self._fit_length(value, schema, name)
        self.spent += len(value) // 4
        return value

    def _fit_length(self, value: str, schema: dict[str, Any], name: str) -> str:
        if "minLength" not in schema and "maxLength" not in schema:
            return value
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        if len(value) >= low and (high is None or len(value) <= high):
            return value
        if low > OUTPUT_TOKEN_LIMIT * CHARS_PER_TOKEN:
            raise SchemaError(f"'minLength' of '{name or '#'}' asks for more text than an answer holds")
        filler = iter(self.vocab.terms * (low // 3 + 2))
        while len(value) < low:
            value = (value + " " + next(filler, "x")).strip() if value else next(filler, "x")
        if isinstance(high, int) and len(value) > high:
            value = value[:high].rstrip() if len(value[:high].rstrip()) >= low else value[:high]
        return value

    def _from_pattern(self, pattern: str, name: str) -> str:
        try:
            plan = _pattern_plan(pattern)
            low, high = _span(plan)
            if low > OUTPUT_TOKEN_LIMIT * CHARS_PER_TOKEN:
                raise SchemaError(f"'pattern' of '{name or '#'}' asks for more text than an answer holds")
            value = _write(plan, self.rng, least=high > _PATTERN_CHARS)
        except (re.error, RecursionError, ValueError, TypeError) as error:
            if isinstance(error, SchemaError):
                raise
            return self._named_string(name)
        return value if re.search(pattern, value) else self._named_string(name)

    def _prompt_string(self, name: str, fmt: Any, pattern: Any) -> str | None:
        """The prompt's value for this field (the e-mail address for `email`), when it fits the format."""
        found = self.vocab.value_for(name)
        if found is None or isinstance(found, bool):
            return None
        value = str(found)
        if isinstance(fmt, str) and fmt in _FORMATS and _FORMAT_KINDS.get(fmt) != extract.kind_of(name):
            return None
        if isinstance(pattern, str) and not re.search(pattern, value):
            return None
        return value

    def _named_string(self, name: str) -> str:
        writer = _string_writer(name)
        return writer(self) if writer else self.rng.choice(self.vocab.terms)

    # helpers used by the hint and format tables
    def phrase(self) -> str:
        if self.vocab.phrases:
            return self.rng.choice(self.vocab.phrases)
        return " ".join(self.vocab.title_terms[:2])

    def sentence(self) -> str:
        if self.vocab.sentences:
            return self.rng.choice(self.vocab.sentences)
        terms = self.vocab.terms
        return f"{terms[0].capitalize()} relates to {', '.join(terms[1:3]) or terms[0]}."

    def word(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.rng.choice(self.vocab.terms).lower()).strip("-") or "item"

    def moment(self) -> datetime.datetime:
        return _EPOCH + datetime.timedelta(seconds=self.rng.randrange(0, 3 * 365 * 86400))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _members(items: Any) -> set[str]:
    members: set[str] = set()
    for op, av in items:
        kind = str(op)
        if kind == "LITERAL":
            members.add(chr(av))
        elif kind == "RANGE":
            members.update(chr(c) for c in range(av[0], min(av[1], av[0] + 60) + 1))
        elif kind == "CATEGORY":
            members.update(_CATEGORY_CHARS.get(str(av), "x"))
    return members


def _class_options(items: list[Any]) -> str:
    """The characters a [...] class allows (for a negated class, one it does not exclude)."""
    if items and str(items[0][0]) == "NEGATE":
        excluded = _members(items[1:])
        return next(c for c in string.ascii_letters + string.digits if c not in excluded)
    return "".join(sorted(_members(items))) or "x"


def _plan(parsed: Any) -> tuple[Any, ...]:
    """A parsed regular expression as steps that write a string it matches: ("text", s), ("pick", chars),
    ("repeat", low, high, steps) or ("branch", (steps, ...)). Repeats stay near their minimum."""
    steps: list[Any] = []
    for op, av in parsed:
        name = str(op)
        if name == "LITERAL":
            steps.append(("text", chr(av)))
        elif name == "NOT_LITERAL":
            steps.append(("text", "x" if chr(av) != "x" else "y"))
        elif name == "ANY":
            steps.append(("pick", string.ascii_lowercase))
        elif name == "IN":
            steps.append(("pick", _class_options(list(av))))
        elif name == "CATEGORY":
            steps.append(("pick", _CATEGORY_CHARS.get(str(av), "x")))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av
            top = low + 2 if str(high) == "MAXREPEAT" else min(high, low + 2)
            steps.append(("repeat", low, max(low, top), _plan(sub)))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            steps.append(("group", _plan(av[-1])))
        elif name == "BRANCH":
            steps.append(("branch", tuple(_plan(b) for b in av[1])))
        elif name not in ("AT", "ASSERT", "ASSERT_NOT"):
            raise ValueError(f"unsupported regex element {name}")
    return tuple(steps)


@lru_cache(maxsize=1024)
def _pattern_plan(pattern: str) -> tuple[Any, ...]:
    return _plan(sre_parse.parse(pattern))


def _write(plan: tuple[Any, ...], rng: random.Random, least: bool = False) -> str:
    """`least`: every repeat at its minimum and every alternative its shortest (for patterns that could
    write too much)."""
    out = []
    for step in plan:
        kind = step[0]
        if kind == "text":
            out.append(step[1])
        elif kind == "pick":
            out.append(rng.choice(step[1]))
        elif kind == "repeat":
            times = step[1] if least else rng.randint(step[1], step[2])
            out.extend(_write(step[3], rng, least) for _ in range(times))
        elif kind == "group":
            out.append(_write(step[1], rng, least))
        elif least:
            out.append(_write(min(step[1], key=lambda branch: _span(branch)[0]), rng, least))
        else:
            out.append(_write(rng.choice(step[1]), rng, least))
    return "".join(out)


@lru_cache(maxsize=1024)
def _span(plan: tuple[Any, ...]) -> tuple[int, int]:
    """The fewest and the most characters `_write` writes for a plan."""
    low = high = 0
    for step in plan:
        kind = step[0]
        if kind in ("text", "pick"):
            low, high = low + 1, high + 1
        elif kind == "repeat":
            inner_low, inner_high = _span(step[3])
            low, high = low + step[1] * inner_low, high + step[2] * inner_high
        elif kind == "group":
            inner_low, inner_high = _span(step[1])
            low, high = low + inner_low, high + inner_high
        else:
            spans = [_span(branch) for branch in step[1]] or [(0, 0)]
            low, high = low + min(s[0] for s in spans), high + max(s[1] for s in spans)
    return low, high


def pattern_chars(pattern: str) -> int:
    """The fewest characters a string matching `pattern` is written with (0 if it is not understood)."""
    try:
        return _span(_pattern_plan(pattern))[0]
    except (re.error, RecursionError, ValueError, TypeError, OverflowError):
        return 0


_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": "-.",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters,
}

_FORMATS: dict[str, Any] = {
    "date": lambda g: g.moment().date().isoformat(),
    "date-time": lambda g: g.moment().isoformat().replace("+00:00", "Z"),
    "time": lambda g: g.moment().time().isoformat() + "Z",
    "duration": lambda g: f"P{g.rng.randint(1, 30)}D",
    "email": lambda g: f"{g.word()}@example.com",
    "idn-email": lambda g: f"{g.word()}@example.com",
    "uri": lambda g: f"https://example.com/{g.word()}",
    "url": lambda g: f"https://example.com/{g.word()}",
    "iri": lambda g: f"https://example.com/{g.word()}",
    "uri-reference": lambda g: f"/{g.word()}",
    "hostname": lambda g: f"{g.word()}.example.com",
    "idn-hostname": lambda g: f"{g.word()}.example.com",
    "ipv4": lambda g: f"192.0.2.{g.rng.randint(1, 254)}",
    "ipv6": lambda g: f"2001:db8::{g.rng.randint(1, 65535):x}",
    "uuid": lambda g: g.uuid(),
    "regex": lambda g: f"^{g.word()}$",
}

# Formats a prompt's value may fill, by the kind of value `extract` finds for the field's name.
_FORMAT_KINDS = {"email": "email", "idn-email": "email", "date": "date", "uri": "url", "url": "url"}

_STRING_HINTS: list[tuple[tuple[str, ...], Any]] = [
    (("email",), _FORMATS["email"]),
    (("url", "uri", "link", "website", "href"), _FORMATS["uri"]),
    (("uuid", "guid"), _FORMATS["uuid"]),
    (("date", "birthday", "dob"), _FORMATS["date"]),
    (("timestamp", "datetime", "created_at", "updated_at", "time"), _FORMATS["date-time"]),
    (("phone", "telephone"), lambda g: f"+1-555-01{g.rng.randint(0, 99):02d}"),
    (("id",), lambda g: f"{g.word()}-{g.rng.randint(100, 999)}"),
    (
        ("city", "location", "country", "place", "address", "destination", "origin", "region"),
        lambda g: g.phrase(),
    ),
    (
        (
            "name",
            "title",
            "author",
            "company",
            "brand",
            "label",
            "participant",
            "attendee",
            "member",
            "person",
            "people",
            "user",
            "customer",
            "employee",
            "speaker",
            "guest",
            "owner",
        ),
        lambda g: g.phrase(),
    ),
    (
        (
            "description",
            "summary",
            "text",
            "content",
            "explanation",
            "reason",
            "reasoning",
            "answer",
            "body",
            "message",
            "comment",
            "details",
            "sentence",
            "response",
        ),
        lambda g: g.sentence(),
    ),
    (
        ("query", "question", "prompt", "search", "q", "input", "keywords"),
        lambda g: " ".join(g.vocab.terms[:3]),
    ),
]

_NUMBER_HINTS: list[tuple[tuple[str, ...], tuple[int, int]]] = [
    (("age",), (18, 80)),
    (("year",), (2000, 2030)),
    (("month",), (1, 12)),
    (("day",), (1, 28)),
    (("hour",), (0, 23)),
    (("minute", "second"), (0, 59)),
    (("percent", "percentage"), (0, 100)),
    (("score", "rating", "confidence", "probability"), (0, 1)),
    (("price", "cost", "amount", "salary", "total"), (5, 500)),
    (("count", "quantity", "number", "num", "size", "limit", "steps"), (1, 10)),
    (("lat",), (-90, 90)),
    (("lon", "lng"), (-180, 180)),
    (("temperature", "temp"), (-10, 35)),
]


@lru_cache(maxsize=4096)
def _string_writer(name: str) -> Any:
    """What a string field's name suggests it holds (field names repeat, so the answer is kept)."""
    lowered = name.lower()
    for hints, writer in _STRING_HINTS:
        if any(
            lowered == h or lowered.endswith("_" + h) or (len(h) > 3 and lowered.endswith(h)) for h in hints
        ):
            return writer
    return None


@lru_cache(maxsize=4096)
def _number_range(name: str) -> tuple[int, int]:
    lowered = name.lower()
    for hints, span in _NUMBER_HINTS:
        if any(h in lowered for h in hints):
            return span
    return (1, 100)


@lru_cache(maxsize=256)
def vocabulary(source: str) -> Vocabulary:
    """The prompt's words, worked out once per prompt (system prompts and templates repeat)."""
    return Vocabulary(source)


def instance(schema: dict[str, Any], vocab: Vocabulary, rng: random.Random) -> Any:
    """A value the schema accepts, as the same request always gets it."""
    try:
        return Generator(schema, vocab, rng).value(schema)
    except RecursionError:
        raise SchemaError(f"the schema nests values too deeply (more than {MAX_NESTING} levels)") from None


def least_output(schema: Any) -> Need:
    """The least output the schema allows, and what asks for it (see schema_bounds)."""
    try:
        return Floor(schema, pattern_chars).need(schema)
    except RecursionError:
        raise SchemaError(f"the schema nests values too deeply (more than {MAX_NESTING} levels)") from None

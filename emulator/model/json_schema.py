"""JSON schemas as requests carry them (response formats, function parameters): checked to be schemas
at all, against JSON Schema draft 2020-12's metaschema, and, in strict mode, against the rules of
structured outputs. Each check answers with the problem in the service's words, or None."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from jsonschema_specifications import REGISTRY

MAX_NESTING = 64  # JSON levels of one schema; deeper ones are refused before anything reads them
MAX_NODES = 100_000  # objects, arrays and values in one schema

# Strict mode (structured outputs): the service's published limits.
STRICT_MAX_OBJECT_NESTING = 10
STRICT_MAX_PROPERTIES = 5_000
STRICT_MAX_ENUM_VALUES = 1_000
STRICT_MAX_STRING_CHARS = 120_000  # property names, definition names, enum and const values together
STRICT_UNSUPPORTED = (
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
)

# Keywords whose value is a schema, a map of names to schemas, or a list of schemas: how a path through
# a schema tells the schemas it passes from the keywords.
_SCHEMA_VALUED = frozenset(
    {
        "contentSchema",
        "items",
        "not",
        "additionalProperties",
        "contains",
        "if",
        "then",
        "else",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "additionalItems",
    }
)
_SCHEMA_MAPS = frozenset(
    {"properties", "$defs", "definitions", "patternProperties", "dependentSchemas", "dependencies"}
)
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})

_SUBSCHEMA: dict[str, Any] = {"type": ["object", "boolean"]}
_META_ID = Draft202012Validator.META_SCHEMA["$id"]
_RESOLVER = REGISTRY.resolver()


def _target(base: str, ref: str) -> tuple[Any, str]:
    """What a metaschema's `$ref` points at, and the address its own refs are read against."""
    uri = urljoin(base, ref)
    return _RESOLVER.lookup(uri).contents, uri.split("#")[0]


def _inlined(meta: Any, base: str, branch: bool = False) -> Any:
    """A metaschema keyword rule with its `$ref`s written out and every place that holds a schema
    (`$dynamicRef: "#meta"`) left to the walk in metaschema_problem, which checks each schema found there
    in its turn, rather than to the library following refs (which costs it a millisecond a schema)."""
    if isinstance(meta, list):
        return [_inlined(m, base, branch) for m in meta]
    if not isinstance(meta, dict):
        return meta
    if "$dynamicRef" in meta:
        # Where a schema must be, the walk checks it; where it is one choice of several, it is told
        # from the others here.
        return dict(_SUBSCHEMA) if branch else True
    out = {k: _inlined(v, base, branch or k == "anyOf") for k, v in meta.items() if k != "$ref"}
    if isinstance(meta.get("$ref"), str):
        target, where = _target(base, meta["$ref"])
        out = {**_inlined(target, where, branch), **out}
    return out


def _keyword_rules() -> dict[str, tuple[Any, str]]:
    """Each keyword of draft 2020-12 with its rule and the address the rule is read against, from the
    metaschema and its vocabularies."""
    root = Draft202012Validator.META_SCHEMA
    rules: dict[str, tuple[Any, str]] = {}
    for part in root["allOf"]:
        vocabulary, where = _target(_META_ID, part["$ref"])
        rules.update({k: (v, where) for k, v in vocabulary["properties"].items()})
    rules.update({k: (v, _META_ID) for k, v in root["properties"].items()})
    return rules


_RULES = _keyword_rules()
_FORMATS = Draft202012Validator.FORMAT_CHECKER
_KEYWORD_VALIDATORS = {
    k: Draft202012Validator(_inlined(rule, where), format_checker=_FORMATS)
    for k, (rule, where) in _RULES.items()
}
_NODE_VALIDATOR = Draft202012Validator(_SUBSCHEMA)


def _schemas_in(
    value: Any, meta: Any, base: str, path: tuple[Any, ...]
) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """The schemas a keyword's value holds, found where its metaschema rule says a schema goes: the
    rule itself (`$dynamicRef`), its `additionalProperties` (a map of schemas), its `items` (a list), or
    a branch of its `anyOf` when the value is an object or boolean."""
    if not isinstance(meta, dict):
        return
    if "$dynamicRef" in meta:
        yield value, path
        return
    if isinstance(meta.get("$ref"), str):
        target, where = _target(base, meta["$ref"])
        yield from _schemas_in(value, target, where, path)
    if isinstance(value, dict) and "additionalProperties" in meta:
        for key, item in value.items():
            yield from _schemas_in(item, meta["additionalProperties"], base, (*path, key))
    if isinstance(value, list) and "items" in meta:
        for position, item in enumerate(value):
            yield from _schemas_in(item, meta["items"], base, (*path, position))
    for branch in meta.get("anyOf") or ():
        if isinstance(branch, dict) and "$dynamicRef" in branch and isinstance(value, (dict, bool)):
            yield value, path
            return


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, list):
        yield from value


def structure_problem(schema: Any) -> str | None:
    """A schema nested too deeply or too large to read (looked at without recursion)."""
    seen = 0
    level: list[tuple[Any, int]] = [(schema, 1)]
    while level:
        node, depth = level.pop()
        seen += 1
        if seen > MAX_NODES:
            return f"the schema has more than {MAX_NODES:,} parts."
        if depth > MAX_NESTING:
            return f"the schema nests more than {MAX_NESTING} levels deep."
        level.extend((child, depth + 1) for child in _children(node) if isinstance(child, (dict, list)))
    return None


def context(path: list[Any]) -> tuple[tuple[str, ...], str | None]:
    """A path into a schema split into the schema node it reaches (as the service's `context` tuple)
    and the keyword of that node the path then enters (None when it ends at a node)."""
    node: list[str] = []
    parts = [str(p) for p in path]
    i = 0
    while i < len(parts):
        keyword = parts[i]
        if keyword in _SCHEMA_VALUED and i + 1 < len(parts):
            node.append(keyword)
            i += 1
        elif (keyword in _SCHEMA_MAPS or keyword in _SCHEMA_LISTS) and i + 2 < len(parts):
            node.extend(parts[i : i + 2])
            i += 2
        else:
            return tuple(node), keyword
    return tuple(node), None


def metaschema_problem(schema: Any) -> str | None:
    """Where and how the schema breaks JSON Schema draft 2020-12, in the service's words. Every schema
    in it is checked against the metaschema's rules for its own keywords (the first problem found,
    outermost first)."""
    pending: list[tuple[Any, tuple[Any, ...]]] = [(schema, ())]
    while pending:
        node, path = pending.pop()
        if not isinstance(node, dict):
            error = best_match(_NODE_VALIDATOR.iter_errors(node))  # a boolean is a schema too
            if error is not None:
                return _described(error.message, list(path))
            continue
        found: list[tuple[Any, tuple[Any, ...]]] = []
        for keyword, value in node.items():
            validator = _KEYWORD_VALIDATORS.get(keyword)
            if validator is None:
                continue  # not a keyword of the draft: allowed, and left alone
            if not _valid(keyword, validator, value):
                error = best_match(validator.iter_errors(value))
                if error is not None:
                    return _described(error.message, [*path, keyword, *error.absolute_path])
            rule, where = _RULES[keyword]
            found.extend(_schemas_in(value, rule, where, (*path, keyword)))
        pending.extend(reversed(found))
    return None


# Keyword values recur across schemas and within one ("type": "string", "required": [...]): whether
# a plain value (or a list of them) is valid is kept, by keyword, type and value.
_PLAIN = (str, int, float, bool, type(None))
_VALID_PLAIN: dict[Any, bool] = {}


def _valid(keyword: str, validator: Draft202012Validator, value: Any) -> bool:
    if isinstance(value, _PLAIN):
        key: Any = (keyword, type(value), value)
    elif isinstance(value, list) and len(value) <= 64 and all(isinstance(v, _PLAIN) for v in value):
        key = (keyword, list, tuple((type(v), v) for v in value))
    else:
        return bool(validator.is_valid(value))
    found = _VALID_PLAIN.get(key)
    if found is None:
        if len(_VALID_PLAIN) >= 16_384:
            _VALID_PLAIN.clear()
        found = _VALID_PLAIN[key] = bool(validator.is_valid(value))
    return found


def _described(message: str, path: list[Any]) -> str:
    node, keyword = context(path)
    detail = message if len(message) <= 300 else message[:297] + "..."
    if keyword is None:
        return f"In context={node!r}, {detail}."
    return f"In context={node!r}, '{keyword}' is not valid: {detail}."


def pointer(node: tuple[str, ...]) -> str:
    """A context tuple as a JSON pointer (`#/properties/a`)."""
    return "#" + "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in node)


# -- strict mode ---------------------------------------------------------------------------------------


def _is_object(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in schema


def _strict_node(schema: dict[str, Any], node: tuple[str, ...]) -> str | None:
    for keyword in STRICT_UNSUPPORTED:
        if keyword in schema:
            return f"In context={node!r}, '{keyword}' is not permitted."
    if not _is_object(schema):
        return None
    if schema.get("additionalProperties") is not False:
        return f"In context={node!r}, 'additionalProperties' is required to be supplied and to be false."
    required = schema.get("required") or ()
    missing = [k for k in schema.get("properties") or {} if k not in required]
    if missing:
        return (
            f"In context={node!r}, 'required' is required to be supplied and to be an array including "
            f"every key in properties. Missing '{missing[0]}'."
        )
    return None


def _walk(
    schema: Any, node: tuple[str, ...], objects: int
) -> Iterator[tuple[dict[str, Any], tuple[str, ...], int]]:
    """Every schema inside `schema` with its context and how many object schemas enclose it (itself
    included); definitions start again from none."""
    if not isinstance(schema, dict):
        return
    objects += 1 if _is_object(schema) else 0
    yield schema, node, objects
    for key in ("properties", "$defs", "definitions"):
        subs = schema.get(key)
        if isinstance(subs, dict):
            inside = 0 if key != "properties" else objects
            for name, sub in subs.items():
                yield from _walk(sub, (*node, key, name), inside)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _walk(schema[key], (*node, key), objects)
    for key in ("anyOf", "allOf", "oneOf", "prefixItems"):
        if isinstance(schema.get(key), list):
            for position, sub in enumerate(schema[key]):
                yield from _walk(sub, (*node, key, str(position)), objects)


def strict_problem(schema: Any) -> str | None:
    """The first rule of strict mode the schema breaks: the root is an object (not a union); every
    object closes its properties and requires all of them (optional fields are spelled as a union with
    null); no unsupported keyword; and the published limits on nesting, properties and enum values."""
    if not isinstance(schema, dict):
        return None
    if "anyOf" in schema or ("type" in schema and schema.get("type") != "object"):
        return (
            f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{schema.get('type')}\"'."
            if "anyOf" not in schema
            else "the root schema must be an object and must not be 'anyOf'."
        )
    properties = enums = chars = 0
    for sub, node, objects in _walk(schema, (), 0):
        problem = _strict_node(sub, node)
        if problem:
            return problem
        if objects > STRICT_MAX_OBJECT_NESTING:
            return f"{objects} levels of nesting exceeds limit of {STRICT_MAX_OBJECT_NESTING}."
        names = sub.get("properties")
        if isinstance(names, dict):
            properties += len(names)
            chars += sum(len(str(k)) for k in names)
        for key in ("$defs", "definitions"):
            if isinstance(sub.get(key), dict):
                chars += sum(len(str(k)) for k in sub[key])
        values = sub.get("enum")
        if isinstance(values, list):
            enums += len(values)
            chars += sum(len(v) for v in values if isinstance(v, str))
        if isinstance(sub.get("const"), str):
            chars += len(sub["const"])
    if properties > STRICT_MAX_PROPERTIES:
        return (
            f"Expected at most {STRICT_MAX_PROPERTIES} properties in total within a single schema when using "
            f"structured outputs, but received {properties}."
        )
    if enums > STRICT_MAX_ENUM_VALUES:
        return (
            f"Expected at most {STRICT_MAX_ENUM_VALUES} enum values in total within a single schema when "
            f"using structured outputs, but received {enums}. Consider reducing the number of enums, or use "
            "'strict: false' to opt out of structured outputs."
        )
    if chars > STRICT_MAX_STRING_CHARS:
        return (
            f"Expected the property names, definition names, enum and const values of a schema to total at "
            f"most {STRICT_MAX_STRING_CHARS:,} characters when using structured outputs, but they total "
            f"{chars:,}."
        )
    return None

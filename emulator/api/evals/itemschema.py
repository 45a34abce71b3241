"""The part of JSON Schema a custom eval's `item_schema` is checked with: `type`, `properties`,
`required`, `items`, `enum`. Other keywords are accepted and not enforced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TYPES: dict[str, Any] = {
    "string": str,
    "number": (int, float),
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def _is(value: Any, name: str) -> bool:
    if name in ("number", "integer") and isinstance(value, bool):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    expected = _TYPES.get(name)
    return expected is None or isinstance(value, expected)


def schema_problem(schema: Mapping[str, Any], value: Any, path: str) -> tuple[str, str] | None:
    """(param path, what is wrong) for the first place `value` breaks `schema`, or None."""
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is(value, k) for k in kinds):
            return path, f"expected {' or '.join(map(str, kinds))} as the eval's item_schema says"
    if "enum" in schema and value not in schema["enum"]:
        return path, f"expected one of {schema['enum']} as the eval's item_schema says"
    if isinstance(value, dict):
        for name in schema.get("required") or []:
            if name not in value:
                return f"{path}.{name}", "missing, and the eval's item_schema requires it"
        properties = schema.get("properties") or {}
        for name, sub in properties.items():
            if name in value and isinstance(sub, Mapping):
                problem = schema_problem(sub, value[name], f"{path}.{name}")
                if problem:
                    return problem
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, element in enumerate(value):
            problem = schema_problem(schema["items"], element, f"{path}[{i}]")
            if problem:
                return problem
    return None

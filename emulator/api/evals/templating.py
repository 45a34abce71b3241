"""`{{item.x}}` / `{{sample.output_text}}` templates, as graders and run input messages use them.

A variable is a namespace (`item` or `sample`) followed by keys and list indices: `item.input`,
`item.input[0].content`, `item.answers.1`. Strings render as they are, anything else as compact JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from emulator import jsontext

NAMESPACES = ("item", "sample")
VARIABLE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


class MissingVariable(Exception):
    """The template names a value the item or sample does not have."""

    def __init__(self, path: str) -> None:
        super().__init__(f"'{{{{{path}}}}}' names a value the data source item does not have")
        self.path = path


def variables(template: str) -> Iterator[str]:
    for match in VARIABLE.finditer(template):
        yield match.group(1)


def bad_variable(template: str) -> str | None:
    """The first variable that is not `item.…` or `sample.…`, or None when all are."""
    for path in variables(template):
        head, steps = _split(path)
        if head not in NAMESPACES or steps is None or not steps:
            return path
    return None


def _split(path: str) -> tuple[str, list[str | int] | None]:
    head, _, rest = path.partition(".")
    head, bracket, tail = head.partition("[")
    rest = (bracket + tail + ("." + rest if rest else "")) if bracket else ("." + rest if rest else "")
    steps: list[str | int] = []
    position = 0
    for match in _STEP.finditer(rest):
        if match.start() != position:
            return head, None
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    return head, steps if position == len(rest) else None


def resolve(path: str, context: Mapping[str, Any]) -> Any:
    head, steps = _split(path)
    if head not in context or steps is None:
        raise MissingVariable(path)
    value: Any = context[head]
    for step in steps:
        if isinstance(value, Mapping) and str(step) in value:
            value = value[str(step)]
        elif isinstance(value, list) and (isinstance(step, int) or step.isdigit()) and int(step) < len(value):
            value = value[int(step)]
        else:
            raise MissingVariable(path)
    return value


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else jsontext.compact(value)


def render(template: str, context: Mapping[str, Any]) -> str:
    return VARIABLE.sub(lambda m: as_text(resolve(m.group(1), context)), template)

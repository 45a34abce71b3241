"""What the fuzz tests share: the served document, its operations, and a check of an answer against it."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from emulator.http.openapi import document as build_document

BODY_METHODS = ("post", "patch")


@functools.cache
def document() -> dict[str, Any]:
    from emulator.api.registry import DOCS, OPERATIONS

    return build_document(OPERATIONS, DOCS)


def operations(methods: tuple[str, ...] | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every documented operation, or those with one of `methods`."""
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if methods is None or method in methods:
                yield path, method, operation


def expected_response(operation: dict[str, Any], status: int) -> dict[str, Any]:
    responses = operation["responses"]
    return dict(responses.get(str(status), responses["default"]))


def mismatch(operation: dict[str, Any], status: int, content_type: str, body: bytes) -> str | None:
    """Why an answer does not match the document, or None when it does. A 5xx never matches."""
    if status >= 500:
        return f"a server error, {status}: {body[:500]!r}"
    if str(status) not in operation["responses"] and 200 <= status < 300:
        return f"status {status} is not documented (documented: {sorted(operation['responses'])})"
    declared = expected_response(operation, status).get("content")
    if not declared:
        return f"status {status} is documented without content, but {len(body)} bytes came" if body else None
    media_type = content_type.split(";")[0].strip()
    if media_type not in declared:
        return f"content type {content_type!r} is not among {sorted(declared)} for status {status}"
    if media_type != "application/json":
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return f"the body is not JSON: {body[:200]!r}"
    schema = {**declared[media_type]["schema"], "components": document()["components"]}
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    return (
        None if error is None else f"the body does not match the document: {error.message} in {data!r:.500}"
    )


def report(config: pytest.Config, line: str) -> None:
    """A line on the terminal past pytest's capture: the fuzzers say how many cases they sent."""
    capture = config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\n{line}")

"""Response bodies checked against the official API documents in ../shared/specs/.

`/v1/...` and `/openai/v1/...` answers are checked against OpenAI's openapi.yaml (Azure's v1 surface is
the OpenAI API; its own document is not among the specs); dated `/openai/...` answers against Azure's
authoring and inference files, the stable 2023-05-15 one first for api-versions up to it. A request is
matched to the document's path template and method, its status to a response (or `default`; an error
status nowhere documented takes the document's error envelope), and the JSON body is validated with
jsonschema, `$ref`s resolved within the document.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import yaml

from emulator.surfaces import Surface


@dataclass(frozen=True)
class Exchange:
    """One response the emulator gave, as recorded."""

    method: str
    url: str
    status: int
    content_type: str
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def api_version(self) -> str | None:
        return parse_qs(urlsplit(self.url).query).get("api-version", [None])[0]


class Recorder:
    """An InProcessEmulator observer keeping every response."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(
        self, method: str, url: str, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        content_type = dict(headers).get(b"content-type", b"").decode()
        self.exchanges.append(Exchange(method, url, status, content_type, body))


@dataclass(frozen=True)
class Problem:
    """Where a response and its official schema disagree: `kind` and a field path, the unit of a departure."""

    operation: str  # "GET /chat/completions/{completion_id} 200 (openai)"
    kind: str  # "schema", "no route", "no schema"
    field: str  # JSON path of the disagreeing field, or "" for the whole body
    detail: str

    @property
    def key(self) -> str:
        return (
            f"{self.operation} :: {self.field or '<body>'}"
            if self.kind == "schema"
            else f"{self.operation} :: {self.kind}"
        )


def _nullable_to_type(node: Any) -> Any:
    """OpenAPI 3.0 / Swagger `nullable` and `x-nullable` as JSON Schema: null joins the allowed types."""
    if isinstance(node, list):
        return [_nullable_to_type(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _nullable_to_type(value) for key, value in node.items()}
    if out.pop("nullable", False) is True or out.pop("x-nullable", False) is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Spec:
    """One official document: its path templates and the validator for each response."""

    def __init__(self, name: str, path: Path, prefix: str) -> None:
        self.name, self.prefix = name, prefix
        text = path.read_text(encoding="utf-8")
        raw = (
            yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            if path.suffix == ".yaml"
            else json.loads(text)
        )
        self.version = str(raw.get("openapi") or raw.get("swagger"))
        # `nullable` is OpenAPI 3.0's, yet both 3.1 files here use it too: honour it everywhere.
        self.document = _nullable_to_type(raw)
        validator_class = (
            jsonschema.Draft202012Validator if self.version.startswith("3.1") else jsonschema.Draft4Validator
        )
        self._root = validator_class(self.document)
        self._templates = sorted(
            (
                (template, re.compile("^" + re.sub(r"{[^}]+}", "[^/]+", template) + "$"))
                for template in self.document["paths"]
            ),
            key=lambda pair: (
                pair[0].count("{"),
                pair[0],
            ),  # literal segments win: /files/import over /files/{id}
        )

    def template(self, path: str) -> str | None:
        for template, regex in self._templates:
            if regex.match(path):
                return template
        return None

    def operation(self, template: str, method: str) -> dict[str, Any] | None:
        found = self.document["paths"][template].get(method.lower())
        return found if isinstance(found, dict) else None

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def response_schema(self, operation: dict[str, Any], status: int, stream: bool = False) -> Any | None:
        """The JSON schema of a status (of each event, for a stream), False when the status has no JSON
        body documented, None when the status is not documented."""
        responses = operation.get("responses", {})
        entry = responses.get(str(status)) or responses.get(f"{status // 100}XX") or responses.get("default")
        if entry is None:
            return self.error_schema() if status >= 400 else None
        entry = self._deref(entry)
        if "content" in entry:
            content = entry["content"]
            media = (content.get("text/event-stream") if stream else None) or content.get("application/json")
            return media.get("schema", {}) if media else False
        return entry.get("schema", False)  # Swagger 2.0

    def error_schema(self) -> Any | None:
        components = self.document.get("components", {}).get("schemas", {})
        definitions = self.document.get("definitions", {})
        for ref, table in (
            ("#/components/schemas/ErrorResponse", components),
            ("#/components/schemas/errorResponse", components),
            ("#/definitions/errorResponse", definitions),
        ):
            if ref.rsplit("/", 1)[1] in table:
                return {"$ref": ref}
        return None

    def errors(self, schema: Any, body: Any) -> Iterator[jsonschema.ValidationError]:
        return self._root.evolve(schema=copy.deepcopy(schema)).iter_errors(body)

    @cached_property
    def paths(self) -> list[str]:
        return list(self.document["paths"])


class Contract:
    def __init__(self, specs_dir: Path) -> None:
        azure = specs_dir / "azure"
        self.openai = Spec("openai", specs_dir / "openai" / "openapi.yaml", "")
        self.authoring = Spec(
            "azure authoring 2025-04-01-preview",
            azure / "authoring/preview/2025-04-01-preview/azureopenai.json",
            "",
        )
        self.inference = Spec(
            "azure inference 2025-03-01-preview",
            azure / "inference/preview/2025-03-01-preview/inference.json",
            "",
        )
        self.stable = Spec(
            "azure authoring 2023-05-15", azure / "authoring/stable/2023-05-15/azureopenai.json", ""
        )

    def specs_for(self, exchange: Exchange) -> tuple[list[Spec], str]:
        """The documents to look in, in order, and the path relative to their server URL."""
        surface = Surface.of_path(exchange.path)
        if surface is Surface.AZURE:
            dated = [self.authoring, self.inference, self.stable]
            if (exchange.api_version or "9999") <= "2023-05-15":
                dated = [self.stable, self.authoring, self.inference]
            return dated, exchange.path[len("/openai") :]
        if surface is not None:
            return [self.openai], exchange.path[len(surface.prefix) :]
        return [], exchange.path

    def check(self, exchange: Exchange) -> list[Problem]:
        specs, path = self.specs_for(exchange)
        if not specs:  # the emulator's own routes: described by its own document, not the services'
            return []
        found = Surface.of_path(exchange.path)
        surface = found.value if found else "emulator"

        label = f"{exchange.method} {path} {exchange.status} ({surface})"
        for spec in specs:
            template = spec.template(path)
            operation = spec.operation(template, exchange.method) if template else None
            if template is None or operation is None:
                continue
            label = f"{exchange.method} {template} {exchange.status} ({surface})"
            stream = exchange.content_type.startswith("text/event-stream")
            schema = spec.response_schema(operation, exchange.status, stream)
            if schema is None:
                return [Problem(label, "no schema", "", f"{spec.name} documents no {exchange.status} here")]
            if schema is False or not exchange.body or not (stream or "json" in exchange.content_type):
                return []
            return [
                Problem(label, "schema", _field(leaf), f"{leaf.message[:300]} [{spec.name}]")
                for body in (_events(exchange.body) if stream else [json.loads(exchange.body)])
                for error in spec.errors(schema, body)
                for leaf in _leaves(error)
            ]
        return [Problem(label, "no route", "", "in none of: " + ", ".join(s.name for s in specs))]


def _events(body: bytes) -> list[Any]:
    """The JSON payloads of a server-sent event stream, without the closing [DONE]."""
    lines = body.decode("utf-8").splitlines()
    return [
        json.loads(line[5:]) for line in lines if line.startswith("data:") and line[5:].strip() != "[DONE]"
    ]


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The errors that explain a failed oneOf/anyOf: those of the alternative that came closest."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    # The alternative meant is the one whose `type`/`object` tag matched; then the one whose shallowest
    # error is deepest (the body's outline fits); then the one with fewer errors.
    closest = min(
        branches.values(),
        key=lambda subs: (
            any(_is_tag_mismatch(s) for s in subs),
            -min(len(s.absolute_path) for s in subs),
            len(subs),
        ),
    )
    return [leaf for sub in closest for leaf in _leaves(sub)]


def _is_tag_mismatch(error: jsonschema.ValidationError) -> bool:
    return error.validator in ("enum", "const") and list(error.relative_path)[-1:] in (["type"], ["object"])


def _field(error: jsonschema.ValidationError) -> str:
    """The body field an error is about: the instance path, with list indexes as []."""
    parts = ["[]" if isinstance(p, int) else str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        parts += missing[:1]
    elif error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)' was unexpected", error.message)
        parts += extra[:1]
    return ".".join(parts).replace(".[]", "[]")

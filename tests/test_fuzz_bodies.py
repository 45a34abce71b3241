"""Generated bodies to every POST and PATCH operation on every surface, in-process: bodies from the
document's request schemas (valid and invalid ones) and arbitrary JSON, some of it under the operation's
own field names. No answer may be a 5xx, and every answer (error envelopes included) must match the
document."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from emulator.testing import InProcessEmulator
from tests.fuzzing import BODY_METHODS, document, mismatch, operations, report

# `make check` sends the same bodies every run; `make fuzz` (FUZZ_EXAMPLES set) more, and new ones.
EXPLORING = "FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
JSON_TYPES = (dict, list, str, int, float, bool)
SCHEMA = schemathesis.openapi.from_dict(document())
# Reset's settings are checked by tests of reset, not fuzzed here; nor are fault rules, whose purpose is
# to break the requests after them (tests/test_faults.py).
LEFT_OUT = ("/_emulator/reset", "/_emulator/faults")
TARGETS = sorted((path, method) for path, method, _ in operations(BODY_METHODS) if path not in LEFT_OUT)


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
# Shallow and small: nesting depth and body size have limits of their own, fuzzed elsewhere.
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def field_names(operation: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {})
    if "$ref" in schema:
        schema = document()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return sorted(schema.get("properties", {})) or ["body"]


def arbitrary_bodies(operation: dict[str, Any]) -> st.SearchStrategy[Any]:
    own_fields = st.dictionaries(st.sampled_from(field_names(operation)), JSON_VALUES, max_size=5)
    return own_fields | JSON_VALUES


@pytest.fixture(scope="module")
def sent(request: pytest.FixtureRequest) -> Iterator[list[int]]:
    """The count of generated bodies sent, reported at the end."""
    count: list[int] = []
    yield count
    report(request.config, f"hypothesis: {len(count)} bodies over {len(TARGETS)} operations")


@pytest.fixture
def seeded(request: pytest.FixtureRequest) -> Iterator[tuple[InProcessEmulator, dict[str, str]]]:
    """A fresh emulator holding one of each thing a body operation's path names."""
    with InProcessEmulator(portal=request.getfixturevalue("aoai_emulator_portal")) as emu:
        sdk = emu.openai_client()
        stored = sdk.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "Hello"}], store=True
        )
        evaluation = sdk.evals.create(
            name="fuzz",
            data_source_config={"type": "stored_completions", "metadata": {}},
            testing_criteria=[
                {
                    "type": "string_check",
                    "name": "echo",
                    "input": "{{sample.output_text}}",
                    "reference": "Hello",
                    "operation": "eq",
                }
            ],
        )
        run = sdk.evals.runs.create(
            evaluation.id, data_source={"type": "completions", "source": {"type": "stored_completions"}}
        )
        ids = {
            "completion_id": stored.id,
            "eval_id": evaluation.id,
            "run_id": run.id,
            "deployment_id": "gpt-4o",
            "name": "gpt-4o",
        }
        yield emu, ids


def send(emu: InProcessEmulator, case: Any) -> tuple[int, str, bytes]:
    headers = {"api-key": emu.key, "authorization": f"Bearer {emu.key}"}
    with emu.http_client() as http:
        if case.media_type == "multipart/form-data" and isinstance(case.body, dict):
            files = {k: ("data.jsonl", v) for k, v in case.body.items() if isinstance(v, bytes)}
            data = {k: v for k, v in case.body.items() if not isinstance(v, bytes)}
            response = http.request(
                case.method, case.formatted_path, params=case.query, files=files, data=data, headers=headers
            )
        else:
            body = json.dumps(case.body).encode() if isinstance(case.body, JSON_TYPES) else b""
            response = http.request(
                case.method,
                case.formatted_path,
                params=case.query,
                content=body,
                headers={**headers, "content-type": "application/json"},
            )
    return response.status_code, response.headers.get("content-type", ""), response.content


@pytest.mark.parametrize(("path", "method"), TARGETS, ids=[f"{m.upper()} {p}" for p, m in TARGETS])
def test_generated_bodies_never_5xx_and_match_the_document(
    seeded: tuple[InProcessEmulator, dict[str, str]], sent: list[int], path: str, method: str
) -> None:
    emu, ids = seeded
    operation = document()["paths"][path][method]
    api = SCHEMA[path][method.upper()]
    known = {name: ids[name] for name in re.findall(r"{(\w+)}", path) if name in ids}
    cases = (
        api.as_strategy(GenerationMode.POSITIVE, path_parameters=known)
        | api.as_strategy(GenerationMode.POSITIVE)
        | api.as_strategy(GenerationMode.NEGATIVE, path_parameters=known)
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=not EXPLORING,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, replacement=st.none() | arbitrary_bodies(operation))
    def fuzz(case: Any, replacement: Any) -> None:
        if replacement is not None and case.media_type != "multipart/form-data":
            case.body = replacement
        sent.append(1)
        status, content_type, body = send(emu, case)
        problem = mismatch(operation, status, content_type, body)
        assert problem is None, f"{method.upper()} {case.formatted_path} {case.body!r:.1000}: {problem}"

    fuzz()

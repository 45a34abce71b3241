"""The seeds as tests: every Python snippet and curl example for stored completions in seed documents 000
and 001, read from the seed files at test time and run against a live emulator, then their output checked.

What changes between the seed's text and what runs, all of it listed here:
- the endpoint: `AZURE_OPENAI_ENDPOINT` is the live emulator's, and the literal placeholder
  `https://YOUR-RESOURCE-NAME.openai.azure.com` is replaced by it; `AZURE_OPENAI_API_KEY` is its key and
  `AZURE_OPENAI_AUTH_TOKEN` a made-up Entra ID token (the emulator takes any bearer token on Azure routes);
- the Entra ID token provider: `azure-identity` is not installed, so a stand-in `azure.identity` module
  (STUB_AZURE_IDENTITY) gives `DefaultAzureCredential` and a `get_bearer_token_provider` that returns that
  token; the snippets' text is not touched for it;
- SEED_FIXES: the smallest edits that make the examples the seed gets wrong run at all. Each is also run
  as written, and the test checks that it fails the way the fix says it does.

Every run starts from a reset emulator holding fixtures/stored_completions.json: the two completions the
seed's list, retrieve, messages, update and delete examples name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import LiveEmulator
from tests.conftest import SHARED
from tests.seed_docs import Example, examples

SEED_FILES = ("000_eae08fcedf8a1943.txt", "001_b3030947f6d3cbc6.txt")
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stored_completions.json"
PLACEHOLDER = "https://YOUR-RESOURCE-NAME.openai.azure.com"
TOKEN = "entra-id-token-for-the-emulator"
SCOPE = "https://cognitiveservices.azure.com/.default"
A1 = "chatcmpl-A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0u"
C2 = "chatcmpl-C2dE3fH4iJ5kL6mN7oP8qR9sT0uV1w"
SEEDED_METADATA = {"user": "admin", "category": "docs-test"}
API_VERSION = "2025-02-01-preview"

STUB_AZURE_IDENTITY = f"""
import sys


class DefaultAzureCredential:
    def __init__(self, *args, **kwargs):
        pass


def get_bearer_token_provider(credential, *scopes):
    assert scopes == ({SCOPE!r},), scopes

    def provider():
        print("token provider called", file=sys.stderr)
        return {TOKEN!r}

    return provider
"""


@dataclass(frozen=True)
class Fix:
    examples: tuple[str, ...]  # Example.name of each example it applies to
    why: str
    edits: tuple[tuple[str, str], ...]  # (old, new), each old found exactly once
    symptoms: tuple[str, ...]  # what running the example as written prints


_CURL_UPDATE_WHY = (
    "`-X` has no method, so curl takes the URL for one and finds no URL; and with no `\\` after the "
    "last header, `-d` runs as a command of its own"
)
SEED_FIXES = (
    Fix(
        ("000-create-python-key",),
        "assigns the completion to `ompletion` but prints `completion`",
        (("\nompletion = ", "\ncompletion = "),),
        ("NameError: name 'completion' is not defined",),
    ),
    Fix(
        tuple(f"001-{op}-python-key" for op in ("list", "retrieve", "messages", "update", "delete")),
        "calls os.getenv without `import os`",
        (("from openai import AzureOpenAI\n", "import os\nfrom openai import AzureOpenAI\n"),),
        ("NameError: name 'os' is not defined",),
    ),
    Fix(
        ("001-update-curl-entra",),
        _CURL_UPDATE_WHY,
        (
            ("curl -X https://", "curl -X POST https://"),
            ('$AZURE_OPENAI_AUTH_TOKEN"\n  -d', '$AZURE_OPENAI_AUTH_TOKEN" \\\n  -d'),
        ),
        ("curl: no URL specified", "-d: command not found"),
    ),
    Fix(
        ("001-update-curl-key",),
        _CURL_UPDATE_WHY,
        (
            ("curl -X https://", "curl -X POST https://"),
            ('$AZURE_OPENAI_API_KEY" \n  -d', '$AZURE_OPENAI_API_KEY" \\\n  -d'),
        ),
        ("curl: no URL specified", "-d: command not found"),
    ),
)


def fixes_for(example: Example) -> list[Fix]:
    return [fix for fix in SEED_FIXES if example.name in fix.examples]


def fixed(example: Example) -> str:
    code = example.code
    for fix in fixes_for(example):
        for old, new in fix.edits:
            assert code.count(old) == 1, (
                f"{example.name}: the seed no longer reads as SEED_FIXES says ({fix.why})"
            )
            code = code.replace(old, new)
    return code


def all_examples() -> list[Example]:
    return [e for name in SEED_FILES for e in examples(SHARED / "seeds" / name)]


EXAMPLES = {e.name: e for e in all_examples()}
RUNNABLE = [e for e in EXAMPLES.values() if e.language in ("python", "bash")]


def seed_output(operation: str) -> Any:
    return EXAMPLES[f"001-{operation}-output"].output()


# --- running an example ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def require_curl() -> None:
    if shutil.which("curl") is None:
        pytest.fail(
            "curl is not installed: the seed's REST examples run with the real curl (apt-get install curl)"
        )


@pytest.fixture(scope="session")
def stub_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stub-azure-identity")
    (root / "azure" / "identity").mkdir(parents=True)
    (root / "azure" / "identity" / "__init__.py").write_text(STUB_AZURE_IDENTITY, "utf-8")
    return root


@pytest.fixture
def live(live_server: LiveEmulator) -> Iterator[LiveEmulator]:
    live_server.reset()
    assert live_server.seed_stored_completions(FIXTURE) == [A1, C2]
    yield live_server


@pytest.fixture
def run(live: LiveEmulator, stub_path: Path, tmp_path: Path) -> Callable[[Example, str], Run]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_", "AZURE_"))
    }
    environment.update(
        AZURE_OPENAI_ENDPOINT=live.endpoint,
        AZURE_OPENAI_API_KEY=live.key,
        AZURE_OPENAI_AUTH_TOKEN=TOKEN,
        PYTHONPATH=os.pathsep.join([str(stub_path), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )

    def execute(example: Example, code: str) -> Run:
        code = code.replace(PLACEHOLDER, live.endpoint)
        if example.language == "python":
            script = tmp_path / f"{example.name}.py"
            script.write_text(code, "utf-8")
            command = [sys.executable, str(script)]
        else:
            require_curl()
            command = ["bash", "-c", code]
        done = subprocess.run(
            command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60, check=False
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return execute


# --- what each example must print --------------------------------------------------------------------------


def contains(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where `actual` differs from `expected`, ignoring keys `expected` lacks (SDK fields left null)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{where}.{k}: missing" for k in expected if k not in actual]
        for k in expected.keys() & actual.keys():
            out += contains(expected[k], actual[k], f"{where}.{k}")
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            d
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for d in contains(e, a, f"{where}[{i}]")
        ]
    return [] if expected == actual else [f"{where}: seed shows {expected!r}, got {actual!r}"]


def stored(live: LiveEmulator, completion_id: str) -> Any:
    return live.azure_client(api_version=API_VERSION).chat.completions.retrieve(completion_id)


def new_completions(live: LiveEmulator) -> list[Any]:
    listed = live.azure_client(api_version=API_VERSION).chat.completions.list(limit=100)
    return [c for c in listed.data if c.id not in (A1, C2)]


def check_create(example: Example, run: Run, live: LiveEmulator) -> None:
    (created,) = new_completions(live)
    messages = live.azure_client(api_version=API_VERSION).chat.completions.messages.list(created.id).data
    roles = [m.role for m in messages]
    assert created.model == "gpt-4o-2024-08-06" and roles == ["system", "user"]
    if example.language == "python":
        assert created.metadata == SEEDED_METADATA
        assert messages[1].content is not None and messages[1].content.startswith("Ensemble methods combine")
        content = created.choices[0].message.content
        assert run.stdout.startswith("ChatCompletionMessage(") and "role='assistant'" in run.stdout
        assert f"content={content!r}" in run.stdout
        return
    body = run.json()
    assert (body["id"], body["object"], body["model"]) == (created.id, "chat.completion", "gpt-4o-2024-08-06")
    assert [p["prompt_index"] for p in body["prompt_filter_results"]] == [0]
    assert body["choices"][0]["content_filter_results"]["hate"] == {"filtered": False, "severity": "safe"}
    assert body["choices"][0]["message"]["content"] == created.choices[0].message.content
    assert [m.content for m in messages] == ["You are a helpful assistant.", "Hello!"]


def check_list(example: Example, run: Run, live: LiveEmulator) -> None:
    body = run.json()
    assert [item["id"] for item in body["data"]] == [C2, A1]  # Azure lists newest first
    assert (body["object"], body["has_more"], body["total"]) == ("list", False, 2)
    assert (body["first_id"], body["last_id"]) == (C2, A1)
    (shown,) = seed_output("list")["data"]
    # The seed's list output shows `"object": null` on its item, where its retrieve output of the same
    # completion shows "chat.completion"; the emulator gives "chat.completion" in both.
    assert contains({**shown, "object": "chat.completion"}, body["data"][1]) == []


def check_retrieve(example: Example, run: Run, live: LiveEmulator) -> None:
    body = run.json()
    if example.language == "bash":
        assert body == seed_output("retrieve")
    assert contains(seed_output("retrieve"), body) == []


def check_messages(example: Example, run: Run, live: LiveEmulator) -> None:
    body = run.json()
    assert [m["id"] for m in body["data"]] == [f"{A1}-0", f"{A1}-1"]
    assert contains(seed_output("messages"), body) == []


def check_update(example: Example, run: Run, live: LiveEmulator) -> None:
    # The Python examples update C2…; the REST examples A1…, as does the seed's (unparseable) output.
    body = run.json()
    target = C2 if example.language == "python" else A1
    assert body["id"] == target
    assert body["metadata"] == {**SEEDED_METADATA, "fizz": "buzz"}
    assert stored(live, target).metadata == {**SEEDED_METADATA, "fizz": "buzz"}


def check_delete(example: Example, run: Run, live: LiveEmulator) -> None:
    text = run.stdout
    if example.language == "bash":  # `-D -` prints the headers first (CRLF read as newlines)
        head, _, text = text.partition("\n\n")
        assert head.startswith("HTTP/1.1 200")
        assert "content-type: application/json" in head.lower()
    assert json.loads(text) == {"id": A1, "deleted": True, "object": "chat.completion.deleted"}
    listed = live.azure_client(api_version=API_VERSION).chat.completions.list()
    assert [c.id for c in listed.data] == [C2]


CHECKS: dict[str, Callable[[Example, Run, LiveEmulator], None]] = {
    "create": check_create,
    "list": check_list,
    "retrieve": check_retrieve,
    "messages": check_messages,
    "update": check_update,
    "delete": check_delete,
}


# --- the tests ------------------------------------------------------------------------------------------


def test_every_example_of_the_seeds_is_found() -> None:
    operations = ("list", "retrieve", "messages", "update", "delete")
    expected = {"000-create-python-entra", "000-create-python-key"} | {
        f"001-{op}-{kind}"
        for op in ("create", *operations)
        for kind in ("python-entra", "python-key", "curl-entra", "curl-key", "output")
    }
    assert set(EXAMPLES) == expected
    assert {name for fix in SEED_FIXES for name in fix.examples} <= set(EXAMPLES)


@pytest.mark.parametrize("example", RUNNABLE, ids=[e.name for e in RUNNABLE])
def test_seed_example_runs_and_prints_what_the_seed_shows(
    example: Example, run: Callable[[Example, str], Run], live: LiveEmulator
) -> None:
    result = run(example, fixed(example))

    assert result.returncode == 0, f"{example.name} (seed line {example.line}) failed:\n{result.stderr}"
    if example.auth == "entra" and example.language == "python":
        assert "token provider called" in result.stderr
    CHECKS[example.operation](example, result, live)


BROKEN = [e for e in RUNNABLE if fixes_for(e)]


@pytest.mark.parametrize("example", BROKEN, ids=[e.name for e in BROKEN])
def test_seed_example_as_written_fails_as_seed_fixes_says(
    example: Example, run: Callable[[Example, str], Run], live: LiveEmulator
) -> None:
    result = run(example, example.code)

    assert result.returncode != 0
    for fix in fixes_for(example):
        for symptom in fix.symptoms:
            assert symptom in result.stderr, f"{example.name}: expected {symptom!r} in:\n{result.stderr}"
    for completion_id in (A1, C2):
        assert stored(live, completion_id).metadata == SEEDED_METADATA


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value (`choices[].message.content`), list items merged."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            paths |= {f"{prefix}.{key}"} | key_paths(item, f"{prefix}.{key}")
        return paths
    if isinstance(value, list):
        return {p for item in value for p in key_paths(item, prefix + "[]")}
    return set()


def test_create_output_has_the_key_structure_the_seed_shows(run: Callable[[Example, str], Run]) -> None:
    example = EXAMPLES["001-create-curl-key"]
    result = run(example, fixed(example))

    shown, got = key_paths(seed_output("create")), key_paths(result.json())
    assert (sorted(shown - got), sorted(got - shown)) == ([], [])

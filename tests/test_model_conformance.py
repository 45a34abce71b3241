"""The model's richer answers (tool calls, function calls, logprobs, structured and filtered answers, their
streams, the filtered-prompt error) checked against the official documents, like the base run in
tests/test_spec_conformance.py and with the same named departures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.testing import InProcessEmulator
from tests.contract import Contract, Problem, Recorder
from tests.surfaces import MODEL, SURFACES, client
from tests.test_model_structured import EVENT_PROMPT, RICH_SCHEMA, schema_format
from tests.test_model_tools import BOTH_QUESTION, TOOLS
from tests.test_spec_conformance import KNOWN_DEPARTURES, Departure

DEPARTURES = (
    *KNOWN_DEPARTURES,
    Departure(
        "filtered prompt error type",
        r"error\.type",
        r"None is not of type 'string'",
        "Azure answers a filtered prompt with `type: null` beside `code: content_filter` and `innererror` "
        "(as observed in the service's responses); the documents type `type` as a string.",
    ),
)


def _requests(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    create = sdk.chat.completions.create
    variants: list[dict[str, Any]] = [
        {"messages": BOTH_QUESTION, "tools": TOOLS},
        {"messages": BOTH_QUESTION, "functions": [t["function"] for t in TOOLS]},
        {"messages": EVENT_PROMPT, "logprobs": True, "top_logprobs": 2},
        {"messages": EVENT_PROMPT, "response_format": schema_format(RICH_SCHEMA, True)},
        {"messages": [{"role": "user", "content": "Explain yeast. [filter-answer:violence]"}]},
    ]
    for variant in variants:
        create(model=MODEL, **variant)
        for _ in create(model=MODEL, stream=True, **variant):
            pass
    with pytest.raises(openai.BadRequestError):
        create(model=MODEL, messages=[{"role": "user", "content": "[filter:hate]"}])


@pytest.fixture(scope="module")
def problems(shared_dir: Path) -> list[Problem]:
    contract = Contract(shared_dir / "specs")
    recorder = Recorder()
    with InProcessEmulator() as emulator:
        emulator.observers.append(recorder)
        for surface in SURFACES:
            _requests(emulator, surface)
    assert len(recorder.exchanges) == 11 * len(SURFACES)
    return [p for e in recorder.exchanges for p in contract.check(e)]


def test_the_models_answers_follow_the_official_schemas(problems: list[Problem]) -> None:
    unexplained = sorted(
        {
            f"{p.operation} :: {p.field} :: {p.detail}"
            for p in problems
            if not any(d.explains(p) for d in DEPARTURES)
        }
    )
    assert not unexplained, "\n".join(unexplained)

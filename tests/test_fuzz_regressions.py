"""Requests the fuzzers found a 5xx or a broken answer for, each answered as the document says."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from emulator.api.extensions.schemas import LATEST_TIME


def _post(emulator: Any, path: str, body: Any) -> Any:
    # Raw HTTP: the SDK has no call for the emulator's own routes.
    with emulator.http_client() as http:
        return http.post(path, json=body, headers={"api-key": emulator.key})


def test_advancing_the_clock_past_year_9999_is_refused_and_leaves_it_alone(emulator: Any) -> None:
    before = emulator.now()
    refused = _post(emulator, "/_emulator/clock/advance", {"seconds": 1e308})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["param"] == "seconds"
    assert "year 9999" in error["message"]
    assert emulator.now() == before
    furthest = LATEST_TIME - before
    assert _post(emulator, "/_emulator/clock/advance", {"seconds": furthest}).json() == {"now": LATEST_TIME}
    assert _post(emulator, "/_emulator/clock/advance", {"seconds": 1}).status_code == 400


TOO_BIG = 2**64  # past SQLite's 64-bit INTEGER


def test_a_seeded_completion_created_past_64_bits_is_refused(emulator: Any) -> None:
    completion = {
        "id": "chatcmpl-far-future",
        "created": TOO_BIG,
        "model": "gpt-4o",
        "choices": [],
        "input_messages": [{"role": "user", "content": "Hello"}],
    }
    refused = _post(emulator, "/_emulator/stored_completions", {"completions": [completion]})
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "completions[0].created"
    with emulator.http_client() as http:
        state = http.get("/_emulator/state", headers={"api-key": emulator.key}).json()
    assert state["stored_completions"]["count"] == 0


@pytest.mark.parametrize("path", ["/_emulator/evaluate", "/_emulator/distill"])
@pytest.mark.parametrize("key", ["created_after", "created_before"])
def test_stored_completion_filters_past_64_bits_are_refused(emulator: Any, path: str, key: str) -> None:
    body = {"model": "gpt-4o-mini", key: TOO_BIG}
    if path.endswith("evaluate"):
        body = {"testing_criteria": [], key: TOO_BIG}
    refused = _post(emulator, path, body)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["param"] == key
    assert "64-bit integer" in error["message"]


def test_an_eval_run_over_stored_completions_past_64_bits_is_refused(emulator: Any) -> None:
    sdk = emulator.openai_client()
    evaluation = sdk.evals.create(
        data_source_config={"type": "stored_completions", "metadata": {}},
        testing_criteria=[
            {
                "type": "string_check",
                "name": "echo",
                "input": "{{sample.output_text}}",
                "reference": "x",
                "operation": "eq",
            }
        ],
    )
    source = {"type": "stored_completions", "created_after": TOO_BIG}
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.evals.runs.create(evaluation.id, data_source={"type": "completions", "source": source})
    assert refused.value.body["param"] == "data_source.source.created_after"


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("clock_start", []),
        ("clock_start", "x"),
        ("clock_start", 1e300),
        ("clock_start", -1e20),
        ("store_quota_bytes", 2**70),
        ("max_file_bytes", 2**70),
        ("id_seed", 2**80),
        ("fine_tuning_speed", 5e-324),
        ("fine_tuning_concurrency", 10**30),
    ],
)
def test_a_reset_with_a_setting_out_of_range_is_refused_and_changes_nothing(
    emulator: Any, setting: str, value: Any
) -> None:
    before = emulator.now()
    refused = _post(emulator, "/_emulator/reset", {setting: value})
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["param"] == setting and setting in error["message"]
    assert emulator.now() == before
    answer = emulator.openai_client().chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Still there?"}]
    )
    assert answer.object == "chat.completion"


def test_a_reset_accepts_the_edges_of_each_range(emulator: Any) -> None:
    edges = {"clock_start": LATEST_TIME, "store_quota_bytes": 2**63 - 1, "id_seed": 2**63 - 1}
    assert _post(emulator, "/_emulator/reset", edges).json()["now"] == LATEST_TIME
    assert _post(emulator, "/_emulator/reset", {"clock_start": None}).status_code == 200

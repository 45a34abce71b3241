"""Injected faults: rules through `/_emulator/faults`, `emu.faults`, the marker and `serve --faults`,
meeting the SDK's own retries, its broken-stream and timeout errors, in-process, intercepted and served."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.control.api import FaultRefused
from emulator.testing import InProcessEmulator, LiveEmulator

HI = [{"role": "user", "content": "Hi"}]


def create(client: Any, **options: Any) -> Any:
    return client.chat.completions.create(model="gpt-4o", messages=HI, **options)


def test_rules_are_added_listed_with_their_count_and_deleted(emulator: Any) -> None:
    first = emulator.faults.add(status=503, route="/chat/completions", count=3)
    second = emulator.faults.add(reset=True, deployment="gpt-4o-mini", probability=0.5, seed=7)
    listed = emulator.faults.list()
    assert [(r["id"], r["count"], r["match"], r["fault"]) for r in listed] == [
        (first, 3, {"route": "/chat/completions"}, {"status": 503}),
        (second, None, {"deployment": "gpt-4o-mini"}, {"reset": True}),
    ]
    with pytest.raises(openai.InternalServerError):
        create(emulator.azure_client())
    assert emulator.faults.list()[0]["count"] == 2
    emulator.faults.delete(first)
    assert [r["id"] for r in emulator.faults.list()] == [second]
    assert create(emulator.azure_client()).id
    assert emulator.faults.clear() == 1
    reply = emulator.control.send("DELETE", f"/_emulator/faults/{first}")
    assert reply.status == 404


def test_a_bad_rule_is_refused_naming_the_field(emulator: Any) -> None:
    with pytest.raises(FaultRefused) as refused:
        emulator.faults.add(status=200)
    assert refused.value.param == "fault.status"
    with pytest.raises(FaultRefused) as both:
        emulator.faults.add(status=500, count=1, probability=0.5)
    assert both.value.param == "probability"
    reply = emulator.control.send("POST", "/_emulator/faults", {"fault": {}})
    assert reply.status == 400 and "give one of 'status'" in reply.error()["message"]
    assert emulator.faults.list() == []


def test_statuses_answer_in_each_surface_s_own_body(emulator: Any) -> None:
    emulator.faults.add(status=429, surface="azure", count=1, retry_after_seconds=3)
    with pytest.raises(openai.RateLimitError) as azure:
        create(emulator.azure_client())
    assert azure.value.response.headers["retry-after"] == "3"
    assert azure.value.response.headers["retry-after-ms"] == "3000"
    assert azure.value.body == {
        "code": "429",
        "message": "The system is currently experiencing high demand and cannot process your request. Your "
        "request exceeds the maximum usage size allowed during peak load. Please retry after 3 seconds.",
    }
    emulator.faults.add(status=500, surface="openai", count=1)
    with pytest.raises(openai.InternalServerError) as server_error:
        create(emulator.openai_client())
    assert server_error.value.body == {
        "message": "The server had an error while processing your request. Sorry about that!",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    emulator.faults.add(status=503, count=1)
    with pytest.raises(openai.InternalServerError) as unavailable:
        create(emulator.openai_client())
    assert unavailable.value.status_code == 503
    assert unavailable.value.response.headers["retry-after"] == "1"
    emulator.faults.add(status=408, method="POST", count=1)
    with pytest.raises(openai.APIStatusError) as timed_out:
        create(emulator.azure_client())
    assert timed_out.value.status_code == 408 and timed_out.value.body["code"] == "Timeout"
    emulator.faults.add(content_filter="violence", count=1)
    with pytest.raises(openai.BadRequestError) as filtered:
        create(emulator.azure_client())
    assert filtered.value.body["code"] == "content_filter"
    assert filtered.value.body["innererror"]["content_filter_result"]["violence"]["filtered"] is True


@pytest.mark.aoai_emulator(faults=[{"fault": {"status": 503}, "count": 2}])
def test_the_sdk_retries_503s_from_a_marker_rule_in_simulated_time(aoai_emulator: Any) -> None:
    start = aoai_emulator.now()
    answer = aoai_emulator.azure_client(max_retries=2).chat.completions.with_raw_response.create(
        model="gpt-4o", messages=HI
    )
    assert answer.retries_taken == 2
    assert aoai_emulator.now() == start + 2  # two waits of Retry-After: 1, on the emulator's clock
    assert aoai_emulator.faults.list() == []
    aoai_emulator.reset()  # a reset brings back the rules the settings declare
    assert aoai_emulator.faults.list()[0]["count"] == 2


def test_a_reset_connection_is_the_sdk_s_connection_error(emulator: Any) -> None:
    emulator.faults.add(reset=True, count=1)
    with pytest.raises(openai.APIConnectionError):
        create(emulator.openai_client())
    assert create(emulator.openai_client()).id


def test_a_stream_cut_after_n_chunks_breaks_the_sdk_s_iteration(emulator: Any) -> None:
    emulator.faults.add(cut_after_chunks=2, route="/chat/completions", count=1)
    received = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in create(emulator.azure_client(), stream=True):
            received.append(chunk)
    assert len(received) == 2
    whole = list(create(emulator.azure_client(), stream=True))
    assert len(whole) > 2


def test_cut_after_zero_chunks_of_a_whole_body_drops_it(emulator: Any) -> None:
    emulator.faults.add(cut_after_chunks=0, count=1)
    with pytest.raises(openai.APIConnectionError):
        create(emulator.openai_client())


def test_a_stall_past_the_client_s_timeout_times_it_out(emulator: Any) -> None:
    emulator.faults.add(stall_seconds=120, count=1)
    with pytest.raises(openai.APITimeoutError):
        create(emulator.openai_client(timeout=0.5))
    assert create(emulator.openai_client(timeout=0.5)).id


def test_in_process_a_stall_moves_the_clock(inprocess: InProcessEmulator) -> None:
    inprocess.faults.add(stall_seconds=30, count=2)
    start = inprocess.now()
    with pytest.raises(openai.APITimeoutError):
        create(inprocess.openai_client(timeout=5))
    assert inprocess.now() == start + 5  # the client gave up after its timeout
    assert create(inprocess.openai_client(timeout=60)).created == int(start + 35)


def test_a_probability_draws_the_same_way_every_run(inprocess: InProcessEmulator) -> None:
    def run() -> list[bool]:
        inprocess.reset()
        inprocess.faults.add(status=500, probability=0.5, seed=7)
        client = inprocess.openai_client()
        outcomes = []
        for _ in range(16):
            try:
                create(client)
                outcomes.append(True)
            except openai.InternalServerError:
                outcomes.append(False)
        return outcomes

    first = run()
    assert first == run()
    assert True in first and False in first


def test_rules_match_by_deployment_model_method_and_surface(inprocess: InProcessEmulator) -> None:
    inprocess.faults.add(status=500, deployment="gpt-4o-mini")
    inprocess.faults.add(status=502, model="gpt-4.1", surface="openai")
    inprocess.faults.add(status=500, method="GET", route="/chat/completions")
    azure, plain = inprocess.azure_client(), inprocess.openai_client()
    assert create(azure).id and create(plain, store=True).id
    with pytest.raises(openai.InternalServerError):
        azure.chat.completions.create(model="gpt-4o-mini", messages=HI)
    with pytest.raises(openai.InternalServerError) as bad_gateway:
        plain.chat.completions.create(model="gpt-4.1", messages=HI)
    assert bad_gateway.value.status_code == 502
    assert azure.chat.completions.create(model="gpt-4.1", messages=HI).id  # another surface
    with pytest.raises(openai.InternalServerError):
        plain.chat.completions.list()
    assert inprocess.control.call("GET", "/_emulator/state")  # emulator routes are never broken


@pytest.mark.aoai_emulator(faults=[{"fault": {"reset": True}, "count": 1}])
def test_intercepted_production_clients_meet_the_faults(aoai_emulator: Any) -> None:
    production = openai.AzureOpenAI(
        azure_endpoint="https://contoso.openai.azure.com", api_key="k", api_version="2025-02-01-preview"
    )
    assert create(production).id  # its own retries (2 by default) get past the reset
    aoai_emulator.faults.add(cut_after_chunks=1, count=1)
    with pytest.raises(openai.APIConnectionError):
        list(create(production, stream=True))


def test_serve_faults_file(tmp_path: Path) -> None:
    rules = tmp_path / "faults.json"
    declared = [{"fault": {"reset": True}, "count": 1}, {"fault": {"status": 502}, "count": 1}]
    rules.write_text(json.dumps({"rules": declared}))
    with LiveEmulator(extra_args=("--faults", str(rules))) as server:
        with pytest.raises(openai.APIConnectionError):
            create(server.openai_client())
        with pytest.raises(openai.InternalServerError) as bad_gateway:
            create(server.openai_client())
        assert bad_gateway.value.body == {
            "message": "Bad gateway.",
            "type": "cf_bad_gateway",
            "param": None,
            "code": None,
        }
        assert create(server.openai_client()).id
        assert "Traceback" not in server.output()  # a fault is what the test asked for, not an error


def test_serve_refuses_a_bad_faults_file(tmp_path: Path) -> None:
    from emulator.cli.main import main

    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps([{"fault": {"status": 99}}]))
    assert main(["serve", "--faults", str(rules), "--port", "1"]) == 2


pytest_plugins = ["pytester"]
README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_testing_failure_examples_pass(pytester: pytest.Pytester) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Testing failure") : text.index("## Reliability and limits")]
    examples = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(examples) == 4  # one per part: a 429 retried, a fault rule, latency, a read-only principal
    for n, source in enumerate(examples):
        pytester.makepyfile(**{f"test_failure_example_{n}": source})
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=4)

"""Simulated latency: time to first token and tokens per second, seeded; on the emulator's clock in-process,
in real time when served, off by default."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from emulator.testing import InProcessEmulator, LiveEmulator

HI = [{"role": "user", "content": "Hi"}]
STEADY = {"ttft_ms": 500, "tokens_per_second": 50}


def elapsed(emulator: InProcessEmulator, run: Any) -> tuple[float, Any]:
    start = emulator.now()
    result = run()
    return emulator.now() - start, result


def test_off_by_default(inprocess: InProcessEmulator) -> None:
    waited, _ = elapsed(
        inprocess, lambda: inprocess.openai_client().chat.completions.create(model="gpt-4o", messages=HI)
    )
    assert waited == 0


@pytest.mark.settings(latency=STEADY)
def test_a_whole_answer_waits_first_token_then_its_tokens_on_the_clock(inprocess: InProcessEmulator) -> None:
    client = inprocess.openai_client()
    waited, answer = elapsed(inprocess, lambda: client.chat.completions.create(model="gpt-4o", messages=HI))
    assert answer.usage is not None
    assert waited == pytest.approx(0.5 + answer.usage.completion_tokens / 50, abs=1e-3)


@pytest.mark.settings(latency=STEADY)
def test_a_stream_paces_its_chunks(inprocess: InProcessEmulator) -> None:
    with inprocess.http_client() as http:
        start = inprocess.now()
        with http.stream(
            "POST",
            "/v1/chat/completions",
            headers={"authorization": f"Bearer {inprocess.key}"},
            json={"model": "gpt-4o", "messages": HI, "stream": True},
        ) as response:
            events = [line for line in response.iter_lines() if line.startswith("data: ")]
        waited = inprocess.now() - start
    assert len(events) > 2
    assert waited == pytest.approx(0.5 + (len(events) - 1) / 50, abs=1e-3)


def test_spread_is_drawn_from_a_seeded_generator(aoai_emulator_portal: Any) -> None:
    latency = {
        "ttft_ms": 400,
        "ttft_ms_spread": 300,
        "tokens_per_second": 40,
        "tokens_per_second_spread": 20,
        "seed": 3,
    }

    def run() -> list[float]:
        with InProcessEmulator(portal=aoai_emulator_portal, latency=latency) as emu:
            client = emu.azure_client()
            return [
                elapsed(emu, lambda: client.chat.completions.create(model="gpt-4o", messages=HI))[0]
                for _ in range(4)
            ]

    first = run()
    assert first == run()
    assert len(set(first)) == 4


def test_a_deployment_s_own_latency(inprocess: InProcessEmulator) -> None:
    inprocess.create_deployment("slow", "gpt-4o-mini", settings={"latency": {"ttft_ms": 2000}})
    client = inprocess.azure_client()
    waited, _ = elapsed(inprocess, lambda: client.chat.completions.create(model="slow", messages=HI))
    assert waited == pytest.approx(2.0, abs=1e-3)
    assert elapsed(inprocess, lambda: client.chat.completions.create(model="gpt-4o", messages=HI))[0] == 0


def test_a_latency_longer_than_the_client_s_timeout_times_it_out_on_the_served_emulator() -> None:
    with LiveEmulator(extra_args=("--latency", "30000:50")) as server, pytest.raises(openai.APITimeoutError):
        server.openai_client(timeout=0.3).chat.completions.create(model="gpt-4o", messages=HI)


def test_a_bad_latency_setting_is_a_400_naming_it(inprocess: InProcessEmulator) -> None:
    inprocess.create_deployment("odd", "gpt-4o", settings={"latency": {"ttft_ms": -1}})
    with pytest.raises(openai.BadRequestError) as refused:
        inprocess.azure_client().chat.completions.create(model="odd", messages=HI)
    assert refused.value.body["param"] == "settings.latency"

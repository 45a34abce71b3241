"""Per-deployment rate limits as Azure counts them: capacity, charging on arrival, headers, 429s per
surface, windows on the emulator's clock, and the SDK's own retries passing without real waiting."""

from __future__ import annotations

import math
from typing import Any

import openai
import pytest

from emulator.testing import InProcessEmulator

AZURE_CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview"
HELLO = [{"role": "user", "content": "Hello there, emulator!"}]  # 22 characters: 6 tokens charged
PROMPT_ESTIMATE = math.ceil(len("Hello there, emulator!") / 4)


def azure_post(emulator: Any, body: dict[str, Any], path: str = AZURE_CHAT) -> Any:
    with emulator.http_client() as http:
        return http.post(path, headers={"api-key": emulator.key}, json=body)


def openai_post(emulator: Any, body: dict[str, Any]) -> Any:
    with emulator.http_client() as http:
        return http.post(
            "/v1/chat/completions", headers={"authorization": f"Bearer {emulator.key}"}, json=body
        )


def test_no_capacity_no_limit_and_no_headers(emulator: Any) -> None:
    for _ in range(20):
        answer = azure_post(emulator, {"messages": HELLO, "max_tokens": 5000})
        assert answer.status_code == 200
        assert "x-ratelimit-remaining-tokens" not in answer.headers


@pytest.mark.settings(default_capacity=2)
def test_azure_headers_count_the_estimate_on_arrival(emulator: Any) -> None:
    first = azure_post(emulator, {"messages": HELLO, "max_tokens": 100})
    assert first.status_code == 200
    assert first.headers["x-ratelimit-remaining-tokens"] == str(2000 - PROMPT_ESTIMATE - 100)
    assert first.headers["x-ratelimit-remaining-requests"] == "1"  # 12 RPM: 2 per 10-second window
    assert "x-ratelimit-limit-tokens" not in first.headers  # OpenAI's headers only on its own surface
    # Charged with the estimate, not with what the answer used.
    assert first.json()["usage"]["completion_tokens"] < 100
    second = azure_post(emulator, {"messages": HELLO, "max_completion_tokens": 50})
    assert second.headers["x-ratelimit-remaining-tokens"] == str(2000 - 2 * PROMPT_ESTIMATE - 150)
    assert second.headers["x-ratelimit-remaining-requests"] == "0"


@pytest.mark.settings(default_capacity=2)
def test_azure_429_for_requests_names_the_operation_and_retry_after(emulator: Any) -> None:
    for _ in range(2):
        assert azure_post(emulator, {"messages": HELLO, "max_tokens": 10}).status_code == 200
    emulator.advance(3.5)
    refused = azure_post(emulator, {"messages": HELLO, "max_tokens": 10})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "7"
    assert refused.headers["retry-after-ms"] == "6500"
    assert refused.json() == {
        "error": {
            "code": "429",
            "message": "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
            "2025-04-01-preview have exceeded call rate limit of your current OpenAI S0 pricing tier. Please "
            "retry after 7 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to "
            "further increase the default rate limit.",
        }
    }
    emulator.advance(6.5)  # the next 10-second window
    assert azure_post(emulator, {"messages": HELLO, "max_tokens": 10}).status_code == 200


@pytest.mark.settings(default_capacity=1)
def test_token_limit_over_the_minute_and_openai_headers(emulator: Any) -> None:
    first = openai_post(emulator, {"model": "gpt-4o", "messages": HELLO, "max_tokens": 600})
    assert first.status_code == 200
    assert first.headers["x-ratelimit-limit-requests"] == "6"
    assert first.headers["x-ratelimit-limit-tokens"] == "1000"
    assert first.headers["x-ratelimit-remaining-tokens"] == str(1000 - PROMPT_ESTIMATE - 600)
    assert first.headers["x-ratelimit-reset-tokens"] == "1m0s"
    assert first.headers["x-ratelimit-reset-requests"] == "10s"
    emulator.advance(20)
    client = emulator.openai_client()
    with pytest.raises(openai.RateLimitError) as refused:
        client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=600)
    error = refused.value
    assert error.response.headers["retry-after"] == "40"
    assert error.response.headers["retry-after-ms"] == "40000"
    assert error.body == {
        "message": f"Rate limit reached for gpt-4o-2024-08-06 in organization org-emulator on tokens per min "
        f"(TPM): Limit 1000, Used {PROMPT_ESTIMATE + 600}, Requested {PROMPT_ESTIMATE + 600}. Please try again "
        "in 40s. Visit https://platform.openai.com/account/rate-limits to learn more.",
        "type": "tokens",
        "param": None,
        "code": "rate_limit_exceeded",
    }
    emulator.advance(40)
    assert client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=600).id


@pytest.mark.settings(default_capacity=1)
def test_a_request_larger_than_the_limit_is_too_large(emulator: Any) -> None:
    with pytest.raises(openai.RateLimitError) as refused:
        emulator.openai_client().chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=1000)
    assert refused.value.body["message"].startswith(
        f"Request too large for gpt-4o-2024-08-06 in organization org-emulator on tokens per min (TPM): "
        f"Limit 1000, Requested {PROMPT_ESTIMATE + 1000}. The input or output tokens must be reduced"
    )
    assert "retry-after" not in refused.value.response.headers
    azure = azure_post(emulator, {"messages": HELLO, "max_tokens": 1000})
    assert azure.status_code == 429
    assert azure.json()["error"]["code"] == "429"
    assert azure.json()["error"]["message"].startswith("Request too large for gpt-4o-2024-08-06")


@pytest.mark.settings(default_capacity=1)
def test_without_max_tokens_a_request_reserves_the_model_ceiling_up_to_the_limit(emulator: Any) -> None:
    first = azure_post(emulator, {"messages": HELLO})  # gpt-4o may answer 16,384 tokens: not refused alone
    assert first.status_code == 200
    assert first.headers["x-ratelimit-remaining-tokens"] == "0"
    emulator.advance(10)
    assert azure_post(emulator, {"messages": HELLO, "max_tokens": 1}).status_code == 429


def test_capacity_of_a_deployment_made_through_the_emulator_route(emulator: Any) -> None:
    made = emulator.create_deployment("limited", "gpt-4o-mini", sku={"name": "Standard", "capacity": 3})
    assert made["sku"] == {"name": "Standard", "capacity": 3}
    assert emulator.control.call("GET", "/_emulator/deployments/limited")["sku"] == {
        "name": "Standard",
        "capacity": 3,
    }
    path = "/openai/deployments/limited/chat/completions?api-version=2025-04-01-preview"
    answer = azure_post(emulator, {"messages": HELLO, "max_tokens": 10}, path)
    assert answer.headers["x-ratelimit-remaining-tokens"] == str(3000 - PROMPT_ESTIMATE - 10)
    # Other deployments keep no limit.
    assert "x-ratelimit-remaining-tokens" not in azure_post(emulator, {"messages": HELLO}).headers
    v1 = emulator.azure_client().chat.completions.with_raw_response.create(
        model="limited", messages=HELLO, max_tokens=10
    )
    assert v1.headers["x-ratelimit-remaining-requests"] == "1"


def test_a_bad_sku_is_refused_naming_it(emulator: Any) -> None:
    reply = emulator.control.send(
        "POST", "/_emulator/deployments", {"name": "x", "model": "gpt-4o", "sku": {"capacity": 0}}
    )
    assert reply.status == 400
    assert reply.error()["param"] == "sku.capacity"


@pytest.mark.settings(
    deployments={
        "deployments": [{"name": "small", "model": "gpt-4o", "sku": {"name": "Standard", "capacity": 1}}]
    }
)
def test_capacity_from_the_deployments_file(emulator: Any) -> None:
    path = "/openai/deployments/small/chat/completions?api-version=2025-04-01-preview"
    answer = azure_post(emulator, {"messages": HELLO, "max_tokens": 10}, path)
    assert answer.headers["x-ratelimit-remaining-requests"] == "0"
    assert azure_post(emulator, {"messages": HELLO, "max_tokens": 10}, path).status_code == 429
    listed = emulator.control.call("GET", "/_emulator/deployments")["data"]
    assert listed[0]["sku"] == {"name": "Standard", "capacity": 1}


def test_legacy_scale_settings_capacity_sets_the_limit(inprocess: InProcessEmulator) -> None:
    client = inprocess.azure_client(api_version="2023-05-15")
    made = client.post(
        "/deployments",
        body={"model": "ada", "scale_settings": {"scale_type": "manual", "capacity": 2}},
        cast_to=object,
    )
    assert isinstance(made, dict)
    inprocess.advance(60)  # running, then succeeded
    path = f"/openai/deployments/{made['id']}/completions?api-version=2023-05-15"
    answer = azure_post(inprocess, {"prompt": "Hello there, emulator!", "max_tokens": 16}, path)
    assert answer.status_code == 200
    assert answer.headers["x-ratelimit-remaining-tokens"] == str(2000 - PROMPT_ESTIMATE - 16)


@pytest.mark.settings(default_capacity=1)
def test_streams_carry_the_headers_and_a_reset_gives_fresh_windows(inprocess: InProcessEmulator) -> None:
    client = inprocess.openai_client()
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o", messages=HELLO, max_tokens=10, stream=True
    ) as streamed:
        assert streamed.headers["x-ratelimit-remaining-requests"] == "0"
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=10)
    inprocess.reset()
    assert client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=10).id


@pytest.mark.aoai_emulator(default_capacity=1)
def test_the_sdk_retries_a_429_in_simulated_time(aoai_emulator: Any) -> None:
    client = aoai_emulator.azure_client(max_retries=2)
    start = aoai_emulator.now()
    client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=10)
    retried = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=HELLO, max_tokens=10)
    assert retried.retries_taken == 1
    assert aoai_emulator.now() == start + 10  # the SDK waited out retry-after-ms on the emulator's clock


@pytest.mark.anyio
@pytest.mark.aoai_emulator(default_capacity=1)
async def test_the_async_sdk_retries_a_429_in_simulated_time(aoai_emulator: Any) -> None:
    async with aoai_emulator.async_openai_client(max_retries=2) as client:
        start = aoai_emulator.now()
        await client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=10)
        retried = await client.chat.completions.with_raw_response.create(
            model="gpt-4o", messages=HELLO, max_tokens=10
        )
    assert retried.retries_taken == 1
    assert aoai_emulator.now() == start + 10


@pytest.mark.aoai_emulator(default_capacity=1, sdk_sleep="real")
def test_sdk_sleep_real_leaves_the_clock_alone(aoai_emulator: Any) -> None:
    client = aoai_emulator.azure_client(max_retries=0)
    client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=10)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=10)
    import openai._base_client as base  # the SDK module whose waits the plugin moves onto the clock

    assert base.time.sleep.__module__ == "time"


@pytest.mark.aoai_emulator(default_capacity=1)
def test_the_live_server_fixture_retries_on_its_clock(aoai_live_server: Any) -> None:
    client = aoai_live_server.openai_client(max_retries=2)
    client.chat.completions.create(model="gpt-4o", messages=HELLO, max_tokens=10)
    start = aoai_live_server.now()
    retried = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=HELLO, max_tokens=10)
    assert retried.retries_taken == 1
    assert aoai_live_server.now() == start + 10

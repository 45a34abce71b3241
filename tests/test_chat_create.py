"""Chat completions create through the SDK, on the three surfaces, sync and async."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from emulator.settings import DEFAULT_CLOCK_START
from tests.surfaces import (
    HELLO,
    MODEL,
    MODEL_NAME,
    SUMMARY_MESSAGES,
    SURFACES,
    async_client,
    client,
    validated,
)

SAFE = {"filtered": False, "severity": "safe"}
NOT_DETECTED = {"filtered": False, "detected": False}
# Seed 001's output, exactly.
PROMPT_FILTER_RESULTS = [
    {
        "prompt_index": 0,
        "content_filter_results": {
            "hate": SAFE,
            "jailbreak": NOT_DETECTED,
            "self_harm": SAFE,
            "sexual": SAFE,
            "violence": SAFE,
        },
    }
]
CHOICE_FILTER_RESULTS = {
    "hate": SAFE,
    "protected_material_code": NOT_DETECTED,
    "protected_material_text": NOT_DETECTED,
    "self_harm": SAFE,
    "sexual": SAFE,
    "violence": SAFE,
}


def create(emulator: Any, surface: str = "openai", **kwargs: Any) -> ChatCompletion:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("messages", SUMMARY_MESSAGES)
    return validated(client(emulator, surface).chat.completions.create(**kwargs))


def check_completion(completion: ChatCompletion, n: int = 1) -> None:
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-") and len(completion.id) == len("chatcmpl-") + 29
    assert completion.model == MODEL_NAME
    assert completion.created == int(DEFAULT_CLOCK_START)
    assert completion.system_fingerprint and completion.system_fingerprint.startswith("fp_")
    assert [c.index for c in completion.choices] == list(range(n))
    for choice in completion.choices:
        assert choice.message.role == "assistant"
        assert choice.message.content
        assert choice.message.refusal is None
        assert choice.finish_reason == "stop"
    usage = completion.usage
    assert usage is not None
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0


@pytest.mark.parametrize("surface", SURFACES)
def test_create_on_each_surface(emulator: Any, surface: str) -> None:
    completion = create(emulator, surface)
    check_completion(completion)


@pytest.mark.parametrize("surface", SURFACES)
def test_create_with_async_clients(emulator: Any, surface: str) -> None:
    async def run() -> ChatCompletion:
        async with async_client(emulator, surface) as aclient:
            return await aclient.chat.completions.create(model=MODEL, messages=SUMMARY_MESSAGES)

    completion = validated(asyncio.run(run()))
    check_completion(completion)
    assert completion.choices[0].message.content == create(emulator, surface).choices[0].message.content


def test_summary_draws_on_the_prompt(emulator: Any) -> None:
    content = create(emulator).choices[0].message.content or ""
    prompt_words = {w.strip(".,()").lower() for w in SUMMARY_MESSAGES[1]["content"].split() if len(w) > 6}
    used = {w for w in prompt_words if w in content.lower()}
    assert len(used) >= 3, content
    assert "lorem" not in content.lower()


@pytest.mark.parametrize(
    "deployment,model_name",
    [
        ("gpt-4o", "gpt-4o-2024-08-06"),
        ("gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
        ("gpt-4.1", "gpt-4.1-2025-04-14"),
        ("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
        ("gpt-4.1-nano", "gpt-4.1-nano-2025-04-14"),
    ],
)
def test_model_is_reported_with_its_version(emulator: Any, deployment: str, model_name: str) -> None:
    for surface in SURFACES:
        assert create(emulator, surface, model=deployment, messages=HELLO).model == model_name


def test_the_versioned_model_name_also_works_on_openai(emulator: Any) -> None:
    assert create(emulator, model=MODEL_NAME).model == MODEL_NAME


def test_n_choices_differ(emulator: Any) -> None:
    completion = create(emulator, "azure", n=3)
    check_completion(completion, n=3)
    contents = [c.message.content for c in completion.choices]
    assert len(set(contents)) == 3
    again = create(emulator, "azure", n=3)
    assert [c.message.content for c in again.choices] == contents


def test_same_request_twice_gives_the_same_answer(emulator: Any) -> None:
    first, second = create(emulator), create(emulator)
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.usage == second.usage
    assert first.id != second.id


def test_seed_changes_the_answer_deterministically(emulator: Any) -> None:
    one = create(emulator, seed=1).choices[0].message.content
    two = create(emulator, seed=2).choices[0].message.content
    assert one != two
    assert create(emulator, seed=1).choices[0].message.content == one


def test_temperature_changes_the_answer_deterministically(emulator: Any) -> None:
    cool = create(emulator, temperature=0.2).choices[0].message.content
    hot = create(emulator, temperature=1.5).choices[0].message.content
    assert cool != hot
    assert create(emulator, temperature=0.2).choices[0].message.content == cool


def test_answer_is_the_same_on_every_surface(emulator: Any) -> None:
    contents = {create(emulator, s).choices[0].message.content for s in SURFACES}
    assert len(contents) == 1


@pytest.mark.parametrize("limit_field", ["max_tokens", "max_completion_tokens"])
@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_token_limit_truncates(emulator: Any, surface: str, limit_field: str) -> None:
    full = create(emulator, surface)
    assert full.usage is not None and full.usage.completion_tokens > 5
    cut = create(emulator, surface, **{limit_field: 5})
    choice = cut.choices[0]
    assert choice.finish_reason == "length"
    assert cut.usage is not None and cut.usage.completion_tokens == 5
    assert cut.usage.total_tokens == cut.usage.prompt_tokens + 5
    assert cut.usage.prompt_tokens == full.usage.prompt_tokens
    assert choice.message.content
    assert (full.choices[0].message.content or "").startswith(choice.message.content.rstrip())


def test_a_limit_above_the_answer_changes_nothing(emulator: Any) -> None:
    full = create(emulator)
    assert full.usage is not None
    roomy = create(emulator, max_completion_tokens=full.usage.completion_tokens)
    assert roomy.choices[0].finish_reason == "stop"
    assert roomy.choices[0].message.content == full.choices[0].message.content


@pytest.mark.parametrize("as_list", [False, True])
def test_stop_is_honoured(emulator: Any, as_list: bool) -> None:
    full = create(emulator).choices[0].message.content or ""
    words = full.split()
    stop = words[len(words) // 2]
    cut = create(emulator, stop=[stop, "never-in-the-text"] if as_list else stop)
    content = cut.choices[0].message.content or ""
    assert cut.choices[0].finish_reason == "stop"
    assert stop not in content
    assert content == full[: full.find(stop)]
    assert cut.usage is not None and 0 < cut.usage.completion_tokens < len(full)


@pytest.mark.parametrize("surface", SURFACES)
def test_usage_details_are_present(emulator: Any, surface: str) -> None:
    usage = create(emulator, surface).usage
    assert usage is not None
    details = usage.completion_tokens_details
    assert details is not None
    assert (details.reasoning_tokens, details.audio_tokens) == (0, 0)
    assert (details.accepted_prediction_tokens, details.rejected_prediction_tokens) == (0, 0)
    assert usage.prompt_tokens_details is not None
    assert (usage.prompt_tokens_details.cached_tokens, usage.prompt_tokens_details.audio_tokens) == (0, 0)


def test_usage_counts_grow_with_the_text(emulator: Any) -> None:
    short = create(emulator, messages=[{"role": "user", "content": "Hi"}]).usage
    long = create(emulator).usage
    assert short is not None and long is not None
    assert long.prompt_tokens > short.prompt_tokens


@pytest.mark.parametrize("surface", ["azure", "azure_v1"])
def test_azure_routes_add_content_filter_results(emulator: Any, surface: str) -> None:
    completion = create(emulator, surface, n=2)
    dumped = completion.model_dump()
    assert dumped["prompt_filter_results"] == PROMPT_FILTER_RESULTS
    assert completion.model_extra is not None and "prompt_filter_results" in completion.model_extra
    for choice in dumped["choices"]:
        assert choice["content_filter_results"] == CHOICE_FILTER_RESULTS
    assert dumped["service_tier"] is None
    message = dumped["choices"][0]["message"]
    assert (message["audio"], message["function_call"], message["tool_calls"]) == (None, None, None)


def test_openai_route_has_no_azure_fields(emulator: Any) -> None:
    raw = client(emulator, "openai").chat.completions.with_raw_response.create(model=MODEL, messages=HELLO)
    body = json.loads(raw.text)
    assert "prompt_filter_results" not in body
    assert all("content_filter_results" not in c for c in body["choices"])
    assert raw.headers["x-request-id"]
    assert "apim-request-id" not in raw.headers


def test_azure_route_sends_both_request_id_headers(emulator: Any) -> None:
    raw = client(emulator, "azure").chat.completions.with_raw_response.create(model=MODEL, messages=HELLO)
    assert raw.headers["apim-request-id"] == raw.headers["x-request-id"]
    assert raw.headers["content-type"].startswith("application/json")


def test_unknown_deployment_is_404_deployment_not_found(emulator: Any) -> None:
    for surface in ("azure", "azure_v1"):
        with pytest.raises(openai.NotFoundError) as caught:
            create(emulator, surface, model="no-such-deployment")
        assert caught.value.code == "DeploymentNotFound"
        assert "deployment for this resource does not exist" in caught.value.message


def test_unknown_model_on_openai_is_404_model_not_found(emulator: Any) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        create(emulator, "openai", model="gpt-9")
    assert caught.value.code == "model_not_found"
    assert caught.value.type == "invalid_request_error"
    assert caught.value.param is None
    assert caught.value.body == {
        "message": "The model 'gpt-9' does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }


@pytest.mark.parametrize("store", [False, None])
def test_without_store_nothing_is_stored(emulator: Any, store: bool | None) -> None:
    kwargs = {} if store is None else {"store": store}
    for surface in SURFACES:
        created = create(emulator, surface, metadata={"k": "v"}, **kwargs)
        with pytest.raises(openai.NotFoundError):
            client(emulator, "openai").chat.completions.retrieve(created.id)
    assert client(emulator, "openai").chat.completions.list().data == []


@pytest.mark.parametrize("surface", SURFACES)
def test_store_true_is_visible_at_once(emulator: Any, surface: str) -> None:
    created = create(emulator, surface, store=True, metadata={"user": "admin"})
    stored = validated(client(emulator, "openai").chat.completions.retrieve(created.id))
    assert stored.choices[0].message.content == created.choices[0].message.content
    assert stored.usage == created.usage


def test_openai_echoes_metadata_when_stored(emulator: Any) -> None:
    stored = create(emulator, store=True, metadata={"a": "1"})
    assert stored.metadata == {"a": "1"}


def stream_chunks(emulator: Any, surface: str, **kwargs: Any) -> list[ChatCompletionChunk]:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("messages", SUMMARY_MESSAGES)
    with client(emulator, surface).chat.completions.create(stream=True, **kwargs) as stream:
        chunks = list(stream)
    if surface != "openai":
        # Azure opens the stream with a bare chunk that carries only the prompt's filter results.
        first = chunks.pop(0).model_dump()
        assert (first["id"], first["object"], first["choices"]) == ("", "", [])
        assert first["prompt_filter_results"] == PROMPT_FILTER_RESULTS
        assert all(c.choices[0].model_extra for c in chunks if c.choices)
    return [validated(chunk) for chunk in chunks]


def joined(chunks: list[ChatCompletionChunk], index: int = 0) -> str:
    return "".join(
        c.choices[0].delta.content or "" for c in chunks if c.choices and c.choices[0].index == index
    )


@pytest.mark.parametrize("surface", SURFACES)
def test_stream_matches_the_plain_answer(emulator: Any, surface: str) -> None:
    plain = create(emulator, surface)
    chunks = stream_chunks(emulator, surface, stream_options={"include_usage": True})
    assert joined(chunks) == plain.choices[0].message.content
    with_choices = [c for c in chunks if c.choices]
    assert len(with_choices) > 3
    assert {c.id for c in with_choices} == {with_choices[0].id}
    assert all(c.object == "chat.completion.chunk" and c.model == MODEL_NAME for c in with_choices)
    assert with_choices[0].choices[0].delta.role == "assistant"
    assert with_choices[-1].choices[0].finish_reason == "stop"
    last = chunks[-1]
    assert last.choices == [] and last.usage == plain.usage
    assert all(c.usage is None for c in chunks[:-1])


def test_stream_without_include_usage_has_no_usage(emulator: Any) -> None:
    chunks = stream_chunks(emulator, "openai")
    assert chunks and all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_stream_honours_n_and_limits(emulator: Any) -> None:
    plain = create(emulator, n=2, max_tokens=7)
    chunks = stream_chunks(emulator, "openai", n=2, max_tokens=7)
    for i in range(2):
        assert joined(chunks, i) == plain.choices[i].message.content
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["length", "length"]


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_stream_ends_with_done(emulator: Any, surface: str) -> None:
    from tests.surfaces import create_path, headers

    with emulator.http_client() as http:
        response = http.post(
            create_path(surface),
            headers=headers(emulator, surface),
            json={
                "model": MODEL,
                "messages": HELLO,
                "stream": True,
                "stream_options": {"include_usage": True},
            },
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [e for e in response.text.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    usage = json.loads(events[-2][len("data: ") :])["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_streamed_store_is_stored_whole(emulator: Any) -> None:
    metadata = {"via": "stream"}
    chunks = stream_chunks(
        emulator, "azure", store=True, metadata=metadata, stream_options={"include_usage": True}
    )
    completion_id = next(c.id for c in chunks if c.choices)
    stored = validated(client(emulator, "azure").chat.completions.retrieve(completion_id))
    assert stored.choices[0].message.content == joined(chunks)
    assert stored.choices[0].finish_reason == "stop"
    assert stored.usage == chunks[-1].usage
    assert stored.model == MODEL_NAME
    assert stored.metadata == metadata
    messages = client(emulator, "azure").chat.completions.messages.list(completion_id)
    assert [m.content for m in messages.data] == [m["content"] for m in SUMMARY_MESSAGES]


def test_streamed_without_store_is_not_stored(emulator: Any) -> None:
    chunks = stream_chunks(emulator, "openai")
    with pytest.raises(openai.NotFoundError):
        client(emulator, "openai").chat.completions.retrieve(chunks[0].id)


@pytest.mark.parametrize("surface", SURFACES)
def test_async_stream_with_store(emulator: Any, surface: str) -> None:
    async def run() -> list[ChatCompletionChunk]:
        async with async_client(emulator, surface) as aclient:
            stream = await aclient.chat.completions.create(
                model=MODEL,
                messages=SUMMARY_MESSAGES,
                stream=True,
                store=True,
                stream_options={"include_usage": True},
            )
            return [chunk async for chunk in stream if chunk.id]

    chunks = asyncio.run(run())
    stored = client(emulator, "openai").chat.completions.retrieve(chunks[0].id)
    assert stored.choices[0].message.content == joined(chunks)
    assert stored.usage == chunks[-1].usage


def test_n_choices_are_stored_whole(emulator: Any) -> None:
    created = create(emulator, "azure", n=3, store=True)
    stored = validated(client(emulator, "azure").chat.completions.retrieve(created.id))
    assert [c.message.content for c in stored.choices] == [c.message.content for c in created.choices]
    assert [c.index for c in stored.choices] == [0, 1, 2]


def test_the_path_deployment_wins_over_the_body_model(emulator: Any) -> None:
    sdk = emulator.azure_client(azure_deployment="gpt-4o-mini")
    raw = sdk.chat.completions.with_raw_response.create(model="gpt-4o", messages=HELLO)
    assert raw.http_request.url.path == "/openai/deployments/gpt-4o-mini/chat/completions"
    assert raw.parse().model == "gpt-4o-mini-2024-07-18"

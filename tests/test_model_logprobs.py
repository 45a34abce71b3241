"""logprobs and top_logprobs through the SDK: deterministic, and the tokens they list are the answer's."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.model import tokens
from tests.surfaces import MODEL, SUMMARY_MESSAGES, SURFACES, client


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("top", [0, 1, 5])
def test_logprobs_list_the_returned_tokens(emulator: Any, surface: str, top: int) -> None:
    completion = client(emulator, surface).chat.completions.create(
        model=MODEL, messages=SUMMARY_MESSAGES, logprobs=True, top_logprobs=top
    )
    choice = completion.choices[0]
    entries = choice.logprobs.content
    assert "".join(e.token for e in entries) == choice.message.content
    assert len(entries) == completion.usage.completion_tokens
    assert [b for e in entries for b in e.bytes] == list(choice.message.content.encode())
    for entry in entries:
        assert entry.logprob <= 0
        assert len(entry.top_logprobs) == top
        if top:
            assert entry.top_logprobs[0].token == entry.token
            assert entry.top_logprobs[0].logprob == entry.logprob
            ranked = [t.logprob for t in entry.top_logprobs]
            assert ranked == sorted(ranked, reverse=True)
            assert len({t.token for t in entry.top_logprobs}) == top


def test_logprobs_are_deterministic(emulator: Any) -> None:
    sdk = client(emulator, "openai")

    def run() -> Any:
        return (
            sdk.chat.completions.create(model=MODEL, messages=SUMMARY_MESSAGES, logprobs=True, top_logprobs=3)
            .choices[0]
            .logprobs.model_dump()
        )

    assert run() == run()


def test_without_logprobs_there_are_none(emulator: Any) -> None:
    choice = (
        client(emulator, "azure").chat.completions.create(model=MODEL, messages=SUMMARY_MESSAGES).choices[0]
    )
    assert choice.logprobs is None


def test_logprobs_follow_truncation(emulator: Any) -> None:
    choice = (
        client(emulator, "openai")
        .chat.completions.create(model=MODEL, messages=SUMMARY_MESSAGES, logprobs=True, max_tokens=5)
        .choices[0]
    )
    assert len(choice.logprobs.content) == 5
    assert "".join(e.token for e in choice.logprobs.content) == choice.message.content


@pytest.mark.parametrize("surface", SURFACES)
def test_streamed_logprobs_match_each_delta(emulator: Any, surface: str) -> None:
    sdk = client(emulator, surface)
    content = ""
    streamed = []
    for chunk in sdk.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Describe 東京 in one line, please. 🎉"}],
        logprobs=True,
        top_logprobs=2,
        stream=True,
    ):
        if not chunk.choices or not chunk.choices[0].delta.content:
            continue
        delta = chunk.choices[0].delta.content
        assert b"".join(bytes(e.bytes) for e in chunk.choices[0].logprobs.content) == delta.encode()
        content += delta
        streamed.extend(chunk.choices[0].logprobs.content)
    whole = sdk.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Describe 東京 in one line, please. 🎉"}],
        logprobs=True,
        top_logprobs=2,
    ).choices[0]
    assert content == whole.message.content
    assert [e.model_dump() for e in streamed] == [e.model_dump() for e in whole.logprobs.content]
    assert len(streamed) == len(tokens.encode(content, MODEL))

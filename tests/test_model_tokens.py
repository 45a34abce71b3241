"""Token counts as the service reports them, through the SDK; the published figures are pinned here.

Where each count comes from:
- 157 prompt / 205 completion tokens: seed 001 (Azure stored-completions doc), gpt-4o-2024-08-06.
- 124 prompt tokens (gpt-4o), 129 (gpt-4): OpenAI cookbook "How to count tokens with tiktoken", section 6,
  "prompt tokens counted by the OpenAI API" for its six-message corporate-jargon example.
- 101 prompt tokens (gpt-4o), 105 (gpt-4): the same cookbook, section 7, the get_current_weather tool.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator.model import tokens
from tests.surfaces import MODEL, SUMMARY_MESSAGES, client, validated

COOKBOOK_MESSAGES: list[dict[str, str]] = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon "
        "into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for "
        "increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {
                    "type": "string",
                    "description": "The unit of temperature to return",
                    "enum": ["celsius", "fahrenheit"],
                },
            },
            "required": ["location"],
        },
    },
}
WEATHER_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful assistant that can answer to questions about the weather.",
    },
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


@pytest.mark.parametrize(
    ("messages", "tools", "expected"),
    [
        (SUMMARY_MESSAGES, None, 157),
        (COOKBOOK_MESSAGES, None, 124),
        (WEATHER_MESSAGES, [WEATHER_TOOL], 101),
    ],
    ids=["seed-001", "cookbook-messages", "cookbook-tools"],
)
def test_prompt_tokens_match_the_published_counts(
    emulator: Any, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, expected: int
) -> None:
    extra = {"tools": tools} if tools else {}
    completion = validated(
        client(emulator, "azure").chat.completions.create(model=MODEL, messages=messages, **extra)
    )
    assert completion.usage.prompt_tokens == expected


def test_completion_tokens_count_the_answer_with_the_models_tokenizer(emulator: Any) -> None:
    from emulator.model import tokens

    completion = client(emulator, "openai").chat.completions.create(model=MODEL, messages=SUMMARY_MESSAGES)
    content = completion.choices[0].message.content
    assert completion.usage.completion_tokens == len(tokens.encode(content, completion.model)) > 20
    assert (
        completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    )


@pytest.mark.parametrize("param", ["max_tokens", "max_completion_tokens"])
@pytest.mark.parametrize("limit", [1, 7, 20])
def test_token_limits_cut_at_exactly_that_many_tokens(emulator: Any, param: str, limit: int) -> None:
    from emulator.model import tokens

    completion = client(emulator, "azure").chat.completions.create(
        model=MODEL, messages=SUMMARY_MESSAGES, **{param: limit}
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "length"
    assert completion.usage.completion_tokens == limit
    assert len(tokens.encode(choice.message.content, completion.model)) == limit


def test_tokenizer_needs_no_download(tmp_path: Path) -> None:
    """A fresh interpreter, an empty tiktoken cache and no network access still counts tokens."""
    script = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network disabled')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from emulator.model import tokens\n"
        "print(tokens.count('hello world', 'gpt-4o'), tokens.count('hello world', 'gpt-4'))\n"
    )
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(tmp_path), "DATA_GYM_CACHE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "2"]
    assert list(tmp_path.iterdir()) == []


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _awkward_texts() -> list[str]:
    """Text where a cut after sentence punctuation could go wrong if pieces crossed it."""
    rng = random.Random(7)
    alphabet = list("ab .!?\n\t\r/'-,1é漢😀") + [
        " ",
        " ",
        "  ",
        ".\n",
        "! ",
        "? ",
        "'s ",
        "...",
        "\u00a0",
        "\u3000",
    ]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(64, 400))) for _ in range(300)]
    texts += [
        "Done.  Two spaces. Then one!\tTab? New\nline. 'Quoted.' \"Quoted.\" (Brackets.) 3.14 is pi. " * 3,
        "Ends with punctuation and a space. " * 4,
        "e.g. this, i.e. that. U.S.A. ok. A.B. C. D.E.F. " * 3,
        "First sentence.\u00a0Non-breaking space. Ideographic.\u3000space. Em space.\u2003Next. " * 2,
    ]
    return texts


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4"])
def test_counts_by_sentence_equal_the_tokenizers_count_of_the_whole_text(model: str) -> None:
    """`count` adds up memoised sentence counts; the sum must be the tokenizer's own count every time."""
    seed_texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    assert seed_texts, f"no seed documents found in {SEEDS}"
    for text in seed_texts + _awkward_texts():
        expected = len(tokens.for_model(model).encode_ordinary(text))
        assert tokens.count(text, model) == expected, text[:200]
        assert tokens.count(text, model) == expected, "a second count, from the memo, differs"

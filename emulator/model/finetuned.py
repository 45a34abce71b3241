"""What a fine-tuned model learned: its training examples, looked up by the conversation or prompt.

A chat example teaches each of its assistant turns: the messages before that turn are the key, the turn's
text the answer. A prompt/completion example teaches its completion for its prompt. Keys compare the
messages' roles and texts with runs of whitespace made one space and the ends stripped, so a conversation
typed again with other line breaks or indentation still matches. The first example that teaches a key
wins. Anything the examples do not cover is answered by the base model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from emulator.model import message_text


def squeeze(text: str) -> str:
    return " ".join(text.split())


def conversation_key(messages: Sequence[dict[str, Any]]) -> str:
    return json.dumps([[str(m.get("role", "")), squeeze(message_text(m))] for m in messages])


@dataclass(frozen=True)
class Learned:
    """One fine-tuned model: the base model that answers what it was not taught, and what it was taught."""

    base_model: str
    chat: dict[str, str] = field(default_factory=dict)
    prompts: dict[str, str] = field(default_factory=dict)

    def chat_answer(self, messages: Sequence[dict[str, Any]]) -> str | None:
        return self.chat.get(conversation_key(messages))

    def completion(self, prompt: str) -> str | None:
        return self.prompts.get(squeeze(prompt))


def learn(base_model: str, training: bytes) -> Learned:
    """The index of a training file (JSONL, chat or prompt/completion). Lines that are not examples are
    skipped: the file was validated when it was uploaded, and the job trained on what it could read."""
    chat: dict[str, str] = {}
    prompts: dict[str, str] = {}
    for line in training.decode("utf-8-sig", errors="replace").splitlines():
        try:
            example = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(example, dict):
            continue
        messages = example.get("messages")
        if isinstance(messages, list):
            turns = [m for m in messages if isinstance(m, dict)]
            for at, message in enumerate(turns):
                if message.get("role") == "assistant" and isinstance(message.get("content"), str):
                    chat.setdefault(conversation_key(turns[:at]), message["content"])
        elif isinstance(example.get("prompt"), str) and isinstance(example.get("completion"), str):
            prompts.setdefault(squeeze(example["prompt"]), example["completion"])
    return Learned(base_model, chat, prompts)

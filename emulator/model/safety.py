"""The content filter, on demand: markers in the prompt make Azure's filter act, so handling can be tested.

- `[filter:CATEGORY]` in any prompt message: the request fails with 400 `content_filter`, as Azure rejects
  a filtered prompt (`innererror.code` `ResponsibleAIPolicyViolation`, the category marked in
  `content_filter_result`). CATEGORY is one of hate, sexual, violence, self_harm, jailbreak.
- `[filter-answer:CATEGORY]` in the prompt (or `content_filter` in a scripted answer): the answer is
  filtered: cut after its first sentence, `finish_reason` `content_filter`, and the category marked in the
  choice's `content_filter_results`. CATEGORY is one of hate, sexual, violence, self_harm,
  protected_material_text, protected_material_code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from emulator.errors import ApiError
from emulator.surfaces import Surface

PROMPT_CATEGORIES = ("hate", "sexual", "violence", "self_harm", "jailbreak")
ANSWER_CATEGORIES = (
    "hate",
    "sexual",
    "violence",
    "self_harm",
    "protected_material_text",
    "protected_material_code",
)
_PROMPT_MARK = re.compile(r"\[filter:(" + "|".join(PROMPT_CATEGORIES) + r")\]")
_ANSWER_MARK = re.compile(r"\[filter-answer:(" + "|".join(ANSWER_CATEGORIES) + r")\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")

PROMPT_MESSAGE = (
    "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. "
    "Please modify your prompt and retry. To learn more about our content filtering policies please read "
    "our documentation: https://go.microsoft.com/fwlink/?linkid=2198766"
)


def _texts(messages: Sequence[dict[str, Any]]) -> list[str]:
    out = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            out.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return out


def _marked(mark: re.Pattern[str], messages: Sequence[dict[str, Any]]) -> str | None:
    for text in _texts(messages):
        # Both marks start so; a substring test rules out nearly every text for less than a search.
        found = mark.search(text) if "[filter" in text else None
        if found:
            return found.group(1)
    return None


def prompt_category(messages: Sequence[dict[str, Any]]) -> str | None:
    return _marked(_PROMPT_MARK, messages)


def answer_category(messages: Sequence[dict[str, Any]]) -> str | None:
    return _marked(_ANSWER_MARK, messages)


def cut(content: str) -> str:
    """What a filtered answer keeps: what was written before the filter stopped it."""
    parts = _SENTENCE_END.split(content, maxsplit=1)
    return parts[0] if len(parts) > 1 else ""


def prompt_filter_result(category: str) -> dict[str, Any]:
    safe = {"filtered": False, "severity": "safe"}
    result: dict[str, Any] = {
        "hate": dict(safe),
        "jailbreak": {"filtered": False, "detected": False},
        "self_harm": dict(safe),
        "sexual": dict(safe),
        "violence": dict(safe),
    }
    result[category] = (
        {"filtered": True, "detected": True}
        if category == "jailbreak"
        else {"filtered": True, "severity": "high"}
    )
    return result


class PromptFiltered(ApiError):
    """400 `content_filter`: the prompt tripped the filter; Azure says which category in `innererror`."""

    openai_code = "content_filter"
    azure_code = "content_filter"

    def __init__(self, category: str) -> None:
        super().__init__(PROMPT_MESSAGE, param="prompt")
        self.category = category

    def body(self, surface: Surface, family: Any) -> dict[str, Any]:
        if surface is Surface.OPENAI:
            return self.openai_body()
        return {
            "error": {
                "message": self.message,
                "type": None,
                "param": "prompt",
                "code": "content_filter",
                "status": 400,
                "innererror": {
                    "code": "ResponsibleAIPolicyViolation",
                    "content_filter_result": prompt_filter_result(self.category),
                },
            }
        }

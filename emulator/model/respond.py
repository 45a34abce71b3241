"""One request's answer, in the order the service decides it: the prompt filter, then a scripted answer
if a rule matches, else the deterministic model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emulator.errors import InvalidRequest
from emulator.model import Conversation, Generation, Sampling, Shape, generate, safety, scripted
from emulator.model.scripts import ScriptBook, ScriptedApiError
from emulator.model.structured import SchemaError


def respond(
    book: ScriptBook,
    deployment: str,
    messages: Sequence[dict[str, Any]],
    model: str,
    sampling: Sampling,
    shape: Shape,
) -> Generation:
    category = safety.prompt_category(messages)
    if category is not None:
        raise safety.PromptFiltered(category)
    reply = book.take(Conversation.of(messages).last_user, deployment)
    if reply is not None:
        if reply.error is not None:
            raise ScriptedApiError(reply.error)
        return scripted(reply, messages, model, sampling, shape)
    try:
        return generate(messages, model, sampling, shape)
    except SchemaError as error:
        raise InvalidRequest(f"Invalid schema for '{error.param}': {error}.", param=error.param) from None

"""One request's answer, in the order the service decides it: the prompt filter, then a scripted answer
if a rule matches, else the deterministic model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emulator.errors import InvalidRequest
from emulator.model import Conversation, Generation, Sampling, Shape, generate, safety, scripted
from emulator.model.finetuned import Learned
from emulator.model.scripts import Reply, ScriptBook, ScriptedApiError
from emulator.model.structured import SchemaError


def respond(
    book: ScriptBook,
    deployment: str,
    messages: Sequence[dict[str, Any]],
    model: str,
    sampling: Sampling,
    shape: Shape,
    learned: Learned | None = None,
) -> Generation:
    """`learned`: the deployment's model is fine-tuned; a conversation it was trained on gets the trained
    answer, any other its base model's answer (still reported under the fine-tuned name by the caller)."""
    category = safety.prompt_category(messages)
    if category is not None:
        raise safety.PromptFiltered(category)
    reply = book.take(Conversation.of(messages).last_user, deployment) if book else None
    if reply is not None:
        if reply.error is not None:
            raise ScriptedApiError(reply.error)
        return scripted(reply, messages, model, sampling, shape)
    if learned is not None:
        model = learned.base_model
        trained = learned.chat_answer(messages)
        if trained is not None and not shape.tools and not shape.response_format:
            return scripted(Reply(content=trained), messages, model, sampling, shape)
    try:
        return generate(messages, model, sampling, shape)
    except SchemaError as error:
        raise InvalidRequest(f"Invalid schema for '{error.param}': {error}.", param=error.param) from None

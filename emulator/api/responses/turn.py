"""One turn of a conversation: a create request (and the stored conversation it continues) → the model's
answer → the finished response and the row that stores it."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from typing import Any

from emulator import jsontext
from emulator.api._shared.serving import deployment_for
from emulator.api.responses.conversation import (
    Message,
    check_call_outputs,
    item_messages,
    item_resources,
    model_messages,
    output_messages,
)
from emulator.api.responses.objects import Outcome, output_items, response_body
from emulator.api.responses.schemas import ConversationRequest, CreateResponseRequest
from emulator.api.responses.shape import model_shape
from emulator.api.responses.store import ResponseStore, StoredResponse
from emulator.errors import InvalidRequest
from emulator.http.routing import Call
from emulator.model import Sampling, tokens
from emulator.model import limits as token_limits
from emulator.model.finetuned import Learned
from emulator.model.respond import respond
from emulator.resource.deployments import Deployment

# A background response waits this long in the queue, then works at this pace, on the emulator's clock.
QUEUED_SECONDS = 1.0
TOKENS_PER_SECOND = 50.0


def _missing(name: str) -> InvalidRequest:
    return InvalidRequest(
        f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
    )


def previous_not_found(response_id: str) -> InvalidRequest:
    return InvalidRequest(
        f"Previous response with id '{response_id}' not found.",
        param="previous_response_id",
        code="previous_response_not_found",
    )


async def prior_context(call: Call, previous_id: str | None) -> tuple[list[Message], int]:
    """The conversation a `previous_response_id` continues, and its size in bytes."""
    if previous_id is None:
        return [], 0
    stored = await call.runtime.store(ResponseStore).get(previous_id, call.runtime.clock.now())
    if stored is None:
        raise previous_not_found(previous_id)
    context: list[Message] = json.loads(stored.context)
    return context, len(stored.context)


@dataclass(frozen=True)
class Conversation:
    """What the model reads for a request, and what it is made of."""

    deployment: Deployment
    learned: Learned | None  # what a fine-tuned deployment's model learned
    tokenizer: str
    context: list[Message]  # the stored conversation continued
    new: list[Message]  # this request's input
    messages: list[Message]  # instructions, context and input together
    context_bytes: int


async def read_conversation(call: Call, request: ConversationRequest) -> Conversation:
    deployment = await deployment_for(call, request.model)
    if request.input is None and request.previous_response_id is None:
        raise _missing("input")
    learned = await call.runtime.learned.of(deployment.model)
    tokenizer = learned.base_model if learned else deployment.model_name
    context, context_bytes = await prior_context(call, request.previous_response_id)
    new = item_messages(request.items())
    check_call_outputs(context, new)
    messages = model_messages(request.instructions, context, new)
    return Conversation(deployment, learned, tokenizer, context, new, messages, context_bytes)


def input_tokens(talk: Conversation, request: ConversationRequest) -> int:
    limits = token_limits.model_limits(talk.tokenizer, talk.deployment.model_name, talk.deployment.model)
    shape = model_shape(request, talk.messages, None, limits.max_output_tokens if limits else None)
    return tokens.count_messages(talk.messages, talk.tokenizer) + tokens.count_tools(
        shape.tools, talk.tokenizer
    )


@dataclass(frozen=True)
class Turn:
    record: dict[str, Any]  # the finished response
    stored: StoredResponse
    tokenizer: str


def context_too_long(window: int) -> InvalidRequest:
    return InvalidRequest(
        f"Your input exceeds the context window of this model ({window} tokens). Please adjust your input "
        "and try again, or send truncation: 'auto' to drop the oldest turns of a conversation.",
        param="input",
        code=token_limits.CONTEXT_LENGTH_EXCEEDED,
    )


def truncated(talk: Conversation, instructions: str | None, room: int, tools: Any) -> Conversation:
    """`truncation: "auto"`: the conversation without its oldest turns, as many as the prompt must lose
    to fit in `room` tokens (the request's own input is kept whole); unchanged when it fits."""
    over = (
        tokens.count_messages(talk.messages, talk.tokenizer)
        + tokens.count_tools(tools, talk.tokenizer)
        - room
    )
    context = list(talk.context)
    while context and over > 0:
        dropped = context.pop(0)
        over -= tokens.count_messages([dropped], talk.tokenizer) - tokens.REPLY_PRIMING
    while context and context[0]["role"] == "tool":  # an output whose call was dropped goes with it
        context.pop(0)
    if len(context) == len(talk.context):
        return talk
    messages = model_messages(instructions, context, talk.new)
    return replace(talk, context=context, messages=messages)


async def _budget(talk: Conversation, requested: int | None, body_bytes: int, tools: Any) -> int | None:
    """The answer's token bound, once the model's limits have refused what they must."""
    deployment = talk.deployment
    limits = token_limits.model_limits(talk.tokenizer, deployment.model_name, deployment.model)
    if limits is None:
        return requested
    token_limits.check_output_limit(limits, requested, "max_output_tokens")
    if not token_limits.may_overflow(limits, body_bytes + talk.context_bytes, requested):
        return requested if requested is not None else limits.max_output_tokens
    budget = functools.partial(
        token_limits.chat_answer_budget,
        limits,
        lambda: tokens.count_messages(talk.messages, talk.tokenizer),
        lambda: tokens.count_tools(tools, talk.tokenizer),
        requested,
    )
    try:
        return await token_limits.counted(body_bytes + talk.context_bytes, budget)
    except InvalidRequest as error:
        if error.openai_code != token_limits.CONTEXT_LENGTH_EXCEEDED:
            raise
        raise context_too_long(limits.context_window) from None


async def take_turn(call: Call, request: CreateResponseRequest, body_bytes: int) -> Turn:
    runtime = call.runtime
    talk = await read_conversation(call, request)
    deployment = talk.deployment
    limits = token_limits.model_limits(talk.tokenizer, deployment.model_name, deployment.model)
    requested = request.max_output_tokens
    shape = model_shape(
        request,
        talk.messages,
        requested,
        limits.max_output_tokens if limits else None,
        logprobs=request.logprobs,
        top_logprobs=request.top_logprobs or 0,
    )
    if (
        request.truncation == "auto"
        and limits is not None
        and token_limits.may_overflow(limits, body_bytes + talk.context_bytes, requested)
    ):
        room = limits.context_window - (requested or 0)
        talk = await token_limits.counted(
            body_bytes + talk.context_bytes,
            functools.partial(truncated, talk, request.instructions, room, shape.tools),
        )
    sampling = Sampling(
        temperature=request.temperature,
        top_p=request.top_p,
        max_tokens=await _budget(talk, requested, body_bytes, shape.tools),
    )
    if shape.logprobs:
        token_limits.check_logprob_budget(1, sampling.max_tokens, shape.top_logprobs, "max_output_tokens")
    generation = respond(
        runtime.scripts, deployment.name, talk.messages, deployment.model_name, sampling, shape, talk.learned
    )
    choice = generation.choices[0]

    def new_id(prefix: str) -> str:
        return runtime.ids.prefixed_hex(prefix, 48)

    response_id = new_id("resp_")
    created = int(runtime.clock.now())
    items = item_resources(request.items(), new_id)
    output = output_items(choice, new_id)
    outcome = Outcome(output, choice.finish_reason, generation.prompt_tokens, choice.completion_tokens)
    record = response_body(response_id, created, deployment.model_name, request, outcome)
    started, finished = float(created), float(created)
    if request.background and not request.stream:
        started = created + QUEUED_SECONDS
        finished = started + max(1.0, choice.completion_tokens / TOKENS_PER_SECOND)
    stored = StoredResponse(
        response_id,
        created,
        bool(request.background),
        started,
        finished,
        None,
        jsontext.compact(record),
        jsontext.compact(items),
        jsontext.compact([*talk.context, *talk.new, *output_messages(output)]),
    )
    return Turn(record, stored, talk.tokenizer)

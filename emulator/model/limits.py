"""A request's tokens against its model's limits, refused in the service's words.

Every model has a context window (prompt and answer together) and, for the chat models, a ceiling on the
answer alone. A `max_tokens` over the ceiling is refused; a prompt that does not fit the window, or does
not leave room for the `max_tokens` asked for, is refused as `context_length_exceeded`; without
`max_tokens` the answer is bounded by the ceiling and by what the prompt leaves of the window.

Counting a prompt's tokens costs time in proportion to its length, so it is counted here only when it may
matter: a token is at least one byte of the text it stands for, and the fixed costs the chat format adds
(per message, per tool, per image) are each smaller than four times the JSON that asks for them. Four
times the body's size is therefore more than its prompt can count, and a body that small next to the
window needs no counting at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio

from emulator.errors import InvalidRequest
from emulator.model.catalog import BaseModel, base_model

T = TypeVar("T")

# The log probabilities one chat request may ask for: each token of each answer with its alternatives.
# The service bounds this through tokens per minute; the emulator bounds it here, as an entry costs some
# hundreds of bytes to build. One answer at the largest ceiling (32,768 tokens) with 20 alternatives
# fits; 128 such answers would come to some 90 million entries.
MAX_LOGPROBS = 1024 * 1024
# The answer bound assumed for a model the catalog does not know, asked without max_tokens.
UNKNOWN_ANSWER_BOUND = 16_384

CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded"
# Counting a prompt this large takes long enough (a second for some 5 MB) to be done off the event loop,
# so that other requests, health checks among them, are answered meanwhile.
COUNT_ASIDE_BYTES = 1024 * 1024
_PROMPT_PER_BODY_BYTE = 4  # an image part of 22 bytes costs 85 tokens
_PROMPT_FIXED = 64


def model_limits(*model_ids: str) -> BaseModel | None:
    """The first catalogued model of `model_ids` (the versioned name, then the plain one); None for a
    model the catalog does not know, which the emulator does not bound."""
    for model_id in model_ids:
        found = base_model(model_id)
        if found is not None:
            return found
    return None


async def counted(body_bytes: int, count: Callable[[], T]) -> T:
    """`count()`, in a worker thread when the body is large enough for counting to hold up the loop."""
    if body_bytes > COUNT_ASIDE_BYTES:
        return await anyio.to_thread.run_sync(count)
    return count()


def check_output_limit(model: BaseModel, requested: int | None, param: str) -> None:
    """A `max_tokens` (or `max_completion_tokens`) over the model's ceiling on one answer."""
    ceiling = model.max_output_tokens
    if requested is not None and ceiling is not None and requested > ceiling:
        raise InvalidRequest(
            f"{param} is too large: {requested}. This model supports at most {ceiling} completion tokens, "
            f"whereas you provided {requested}.",
            param=param,
            code="invalid_value",
        )


def may_overflow(model: BaseModel, body_bytes: int, requested: int | None) -> bool:
    """Whether a prompt sent in `body_bytes` of JSON could fill the window: False means it cannot, and
    need not be counted."""
    most = _PROMPT_PER_BODY_BYTE * body_bytes + _PROMPT_FIXED
    return most + (requested or 0) > model.context_window


def chat_answer_budget(
    model: BaseModel,
    count_messages: Callable[[], int],
    count_functions: Callable[[], int],
    requested: int | None,
) -> int | None:
    """The tokens the answer may use, or the service's 400 when the prompt does not fit."""
    messages = count_messages()
    functions = count_functions()
    prompt = messages + functions
    window = model.context_window
    head = f"This model's maximum context length is {window} tokens. However, "
    if requested is None:
        if prompt > window:
            if functions:
                detail = (
                    f"your messages resulted in {prompt} tokens ({messages} in the messages, {functions} in "
                    "the functions). Please reduce the length of the messages or functions."
                )
            else:
                detail = (
                    f"your messages resulted in {prompt} tokens. Please reduce the length of the messages."
                )
            raise InvalidRequest(head + detail, param="messages", code=CONTEXT_LENGTH_EXCEEDED)
        room = window - prompt
        ceiling = model.max_output_tokens
        return room if ceiling is None else min(ceiling, room)
    if prompt + requested > window:
        if functions:
            detail = (
                f"you requested {prompt + requested} tokens ({messages} in the messages, {functions} in the "
                f"functions, {requested} in the completion). Please reduce the length of the messages, "
                "functions, or completion."
            )
        else:
            detail = (
                f"you requested {prompt + requested} tokens ({messages} in the messages, {requested} in the "
                "completion). Please reduce the length of the messages or completion."
            )
        raise InvalidRequest(head + detail, param="messages", code=CONTEXT_LENGTH_EXCEEDED)
    return requested


def check_completion_prompt(model: BaseModel, prompt_tokens: int, requested: int) -> None:
    """A legacy completions prompt and its `max_tokens` against the window, in that API's own words."""
    window = model.context_window
    if prompt_tokens + requested > window:
        raise InvalidRequest(
            f"This model's maximum context length is {window} tokens, however you requested "
            f"{prompt_tokens + requested} tokens ({prompt_tokens} in your prompt; {requested} for the "
            "completion). Please reduce your prompt; or completion length.",
            param="prompt",
            code=CONTEXT_LENGTH_EXCEEDED,
        )


def check_logprob_budget(n: int, answer_bound: int | None, top_logprobs: int, token_param: str) -> None:
    """Refuse a request whose answers could carry more than MAX_LOGPROBS log probabilities."""
    bound = UNKNOWN_ANSWER_BOUND if answer_bound is None else answer_bound
    per_token = 1 + top_logprobs
    entries = n * bound * per_token
    if entries <= MAX_LOGPROBS:
        return
    raise InvalidRequest(
        f"Too many log probabilities: n={n} answers of up to {bound} tokens each ({token_param}), each token "
        f"with {per_token} log probabilities (itself and top_logprobs={top_logprobs}), come to up to "
        f"{entries} log probabilities, more than the {MAX_LOGPROBS} the emulator builds for one request. "
        f"Lower n, {token_param} or top_logprobs.",
        param="n" if n > 1 else token_param,
    )


def check_logit_bias_tokens(bias: dict[str, int] | None, highest: int) -> None:
    """Each biased token id within the model's vocabulary, as the service checks them."""
    for key in bias or {}:
        digits = key.lstrip("0")
        # compared by length first: a key of thousands of digits is too long for int()
        if len(digits) > len(str(highest)) or int(digits or "0") > highest:
            raise InvalidRequest(
                f"Invalid key in 'logit_bias': {key[:40]}. Maximum value is {highest}.", param="logit_bias"
            )

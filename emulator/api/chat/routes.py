"""Chat completions create, and the stored-completions API: list, retrieve, messages, update, delete."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.responses import Response, StreamingResponse

from emulator import jsontext
from emulator.api._shared.serving import deployment_for
from emulator.api.chat.objects import Completion
from emulator.api.chat.schemas import ChatCompletionRequest, as_float
from emulator.api.chat.stored_schemas import UpdateStoredCompletionRequest
from emulator.errors import (
    InvalidRequest,
    ObjectNotFound,
    QuotaExceeded,
    UnrecognizedArgument,
)
from emulator.http import versions
from emulator.http.fields import check_metadata
from emulator.http.pagination import bracket_map, list_envelope, parse_page, spliced_list
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_body
from emulator.model import Sampling, Shape, canonical_json, derived_int, tokens
from emulator.model import limits as token_limits
from emulator.model.checks import check_functions, check_response_format, check_tools
from emulator.model.respond import respond
from emulator.model.tools import legacy_functions
from emulator.resource.completions import (
    CompletionFilter,
    QuotaExceededError,
    StoredCompletion,
    UnknownCursor,
)
from emulator.resource.deployments import Deployment
from emulator.surfaces import Family, Surface

A, V1, O = Surface.AZURE, Surface.AZURE_V1, Surface.OPENAI


def quota_error(exc: QuotaExceededError) -> QuotaExceeded:
    return QuotaExceeded(
        f"Stored completions quota exceeded: {exc.used} of {exc.limit} bytes are in use and this completion "
        f"needs {exc.needed} more. Delete stored completions to free space.",
        param="store",
    )


async def create_chat_completion(call: Call) -> Response:
    raw = await call.body()
    request, sent = parse_body(ChatCompletionRequest, raw)
    if call.surface is A and not versions.supports("store", call.api_version):
        for name in ("store", "metadata"):
            if name in sent:
                raise UnrecognizedArgument(name)
    deployment = await deployment_for(call, request.model)
    runtime = call.runtime
    messages: list[dict[str, Any]] = sent["messages"]
    learned = await runtime.learned.of(deployment.model)
    tokenizer = learned.base_model if learned else deployment.model_name
    limits = token_limits.model_limits(tokenizer, deployment.model_name, deployment.model)
    shape = model_shape(request, sent, limits.max_output_tokens if limits else None)
    if request.logit_bias:
        token_limits.check_logit_bias_tokens(request.logit_bias, tokens.highest_token(tokenizer))
    sampling = Sampling(
        seed=request.seed,
        temperature=as_float(request.temperature),
        top_p=as_float(request.top_p),
        presence_penalty=as_float(request.presence_penalty),
        frequency_penalty=as_float(request.frequency_penalty),
        max_tokens=await answer_budget(request, len(raw), messages, shape, tokenizer, deployment),
        stop=request.stop_sequences(),
        n=request.n or 1,
    )
    if shape.logprobs:
        token_limits.check_logprob_budget(
            sampling.n, sampling.max_tokens, shape.top_logprobs, request.token_param()
        )
    generation = respond(
        runtime.scripts, deployment.name, messages, deployment.model_name, sampling, shape, learned
    )
    seed = request.seed if request.seed is not None else derived_int(generation.digest, "seed")
    completion = Completion(
        runtime.ids.chat_completion(),
        int(runtime.clock.now()),
        deployment.model_name,
        generation,
        request,
        call.request_id,
        seed,
    )
    if request.stream:
        return await _stream(call, completion, messages)
    if request.store:
        await _store(call, completion, messages)
    return json_response(completion.response(call.surface or O))


async def answer_budget(
    request: ChatCompletionRequest,
    body_bytes: int,
    messages: list[dict[str, Any]],
    shape: Shape,
    tokenizer: str,
    deployment: Deployment,
) -> int | None:
    """The answer's token bound, after the model's limits have refused what they must (a fine-tuned
    model has its base model's limits)."""
    requested = request.token_limit()
    limits = token_limits.model_limits(tokenizer, deployment.model_name, deployment.model)
    if limits is None:
        return requested
    token_limits.check_output_limit(limits, requested, request.token_param())
    if not token_limits.may_overflow(limits, body_bytes, requested):
        return requested if requested is not None else limits.max_output_tokens
    budget = functools.partial(
        token_limits.chat_answer_budget,
        limits,
        lambda: tokens.count_messages(messages, tokenizer),
        lambda: tokens.count_tools(shape.tools, tokenizer),
        requested,
    )
    return await token_limits.counted(body_bytes, budget)


def _stored_fields(completion: Completion, messages: list[dict[str, Any]]) -> tuple[Any, ...]:
    """The arguments of CompletionStore.insert (and of StoredCompletion.encode) for a completion."""
    return (
        completion.id,
        completion.created,
        completion.model,
        completion.request.metadata or {},
        completion.stored_record(),
        messages,
    )


def model_shape(request: ChatCompletionRequest, sent: dict[str, Any], ceiling: int | None = None) -> Shape:
    """`ceiling`: the model's output limit, which a schema's least output must fit."""
    response_format = sent.get("response_format")
    written = None if response_format is None else canonical_json(response_format)
    limit = request.token_limit()
    check_response_format(response_format, sent["messages"], written, max_tokens=limit, ceiling=ceiling)
    check_tools(sent.get("tools"), sent.get("tool_choice"), max_tokens=limit, ceiling=ceiling)
    legacy = not sent.get("tools") and bool(sent.get("functions"))
    if legacy:
        check_functions(sent.get("functions"), max_tokens=limit, ceiling=ceiling)
    tool_list, tool_choice = (
        legacy_functions(sent) if legacy else (sent.get("tools"), sent.get("tool_choice"))
    )
    return Shape(
        response_format=response_format,
        response_format_json=written,
        tools=tuple(tool_list or ()),
        tool_choice=tool_choice,
        parallel_tool_calls=request.parallel_tool_calls is not False and not legacy,
        legacy_functions=legacy,
        logprobs=bool(request.logprobs),
        top_logprobs=request.top_logprobs or 0,
    )


async def _store(call: Call, completion: Completion, messages: list[dict[str, Any]]) -> StoredCompletion:
    try:
        return await call.runtime.completions.insert(*_stored_fields(completion, messages))
    except QuotaExceededError as exc:
        raise quota_error(exc) from None


async def _stream(call: Call, completion: Completion, messages: list[dict[str, Any]]) -> Response:
    surface = call.surface or O
    store = bool(completion.request.store)
    if store:
        # The answer is whole before the first chunk, so a store that cannot fit is refused with a
        # plain 400 rather than an error event after the stream.
        size = StoredCompletion.encode(*_stored_fields(completion, messages)).sizes()[1]
        fits, used, limit = await call.runtime.completions.projected_size_fits(size)
        if not fits:
            raise quota_error(QuotaExceededError(used, limit, size))
    include_usage = bool(
        completion.request.stream_options and completion.request.stream_options.include_usage
    )

    async def events() -> AsyncIterator[bytes]:
        for chunk in completion.chunks(surface, include_usage):
            yield b"data: " + jsontext.compact_bytes(chunk) + b"\n\n"
        if store:
            try:
                await _store(call, completion, messages)
            except QuotaExceeded as error:
                yield b"data: " + json.dumps(error.openai_body()).encode() + b"\n\n"
        yield b"data: [DONE]\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


def _not_found(completion_id: str) -> ObjectNotFound:
    return ObjectNotFound("stored chat completion", completion_id, param="completion_id")


def _raw_list(
    bodies: list[str], first_id: str | None, last_id: str | None, has_more: bool, total: int | None
) -> Response:
    return Response(spliced_list(bodies, first_id, last_id, has_more, total), media_type="application/json")


def _unix_time(query: Mapping[str, str], name: str) -> int | None:
    """An emulator-only list filter (the portal's created range): a Unix time in seconds."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(
            f"Invalid '{name}': expected a Unix time in seconds, but got '{raw[:40]}' instead.",
            param=name,
            code="invalid_type",
        ) from None
    if not 0 <= value <= _LATEST_TIME:
        raise InvalidRequest(
            f"Invalid '{name}': {value} is out of range; expected a Unix time from 0 to {_LATEST_TIME}.",
            param=name,
        )
    return value


_LATEST_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z, as the extensions' time filters


async def list_chat_completions(call: Call) -> Response:
    surface = call.surface or O
    page = parse_page(
        call.query, default_limit=20, max_limit=100, default_order="desc" if surface.is_azure else "asc"
    )
    where = CompletionFilter(
        bracket_map(call.request.query_params.multi_items(), "metadata"),
        call.query.get("model") or None,
        _unix_time(call.query, "created_after"),
        _unix_time(call.query, "created_before"),
    )
    try:
        result = await call.runtime.completions.list(
            where, page, with_total=surface.is_azure, strict_cursor=not surface.is_azure
        )
    except UnknownCursor:
        raise ObjectNotFound("stored chat completion", page.after or "", param="after") from None
    items = result.items
    return _raw_list(
        [item.body() for item in items],
        items[0].id if items else None,
        items[-1].id if items else None,
        result.has_more,
        result.total,
    )


async def retrieve_chat_completion(call: Call) -> Response:
    completion_id = call.path_params["completion_id"]
    stored = await call.runtime.completions.get(completion_id)
    if stored is None:
        raise _not_found(completion_id)
    return Response(stored.body(), media_type="application/json")


def _message_item(completion_id: str, index: int, message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    parts = content if isinstance(content, list) else None
    if parts is not None:
        content = "".join(p.get("text", "") for p in parts if isinstance(p, dict))
    return {
        "id": f"{completion_id}-{index}",
        "role": message.get("role"),
        "content": content,
        "name": message.get("name"),
        "content_parts": parts,
        "refusal": message.get("refusal"),
        "audio": message.get("audio"),
        "function_call": message.get("function_call"),
        "tool_calls": message.get("tool_calls"),
    }


_AZURE_MESSAGE_ORDER = (
    "content",
    "refusal",
    "role",
    "audio",
    "function_call",
    "tool_calls",
    "id",
    "name",
    "content_parts",
)


async def list_chat_completion_messages(call: Call) -> Response:
    surface = call.surface or O
    completion_id = call.path_params["completion_id"]
    page = parse_page(call.query, default_limit=20, max_limit=100, default_order="asc")
    stored = await call.runtime.completions.get(completion_id)
    if stored is None:
        raise _not_found(completion_id)
    items = [_message_item(completion_id, i, m) for i, m in enumerate(json.loads(stored.messages))]
    if surface.is_azure:  # seed 001's order, then the fields it does not show
        items = [{key: item[key] for key in _AZURE_MESSAGE_ORDER} for item in items]
    if page.order == "desc":
        items.reverse()
    if page.after is not None:
        position = next((i for i, item in enumerate(items) if item["id"] == page.after), None)
        if position is None:
            if not surface.is_azure:
                raise ObjectNotFound("chat completion message", page.after, param="after")
            items = []
        else:
            items = items[position + 1 :]
    total = len(json.loads(stored.messages)) if surface.is_azure else None
    return json_response(list_envelope(items[: page.limit], len(items) > page.limit, total=total))


async def update_chat_completion(call: Call) -> Response:
    completion_id = call.path_params["completion_id"]
    request, _ = parse_body(UpdateStoredCompletionRequest, await call.body())
    patch = request.metadata
    if "metadata" not in request.model_fields_set:
        # Whether the field is required depends on the surface: Azure reads its absence as no change.
        if not (call.surface or O).is_azure:
            raise InvalidRequest(
                "Missing required parameter: 'metadata'.", param="metadata", code="missing_required_parameter"
            )
        patch = {}

    def check(merged: dict[str, str]) -> None:
        try:
            check_metadata(merged)
        except ValueError as exc:
            raise InvalidRequest(
                f"{exc} (after merging the update into the stored metadata)", param="metadata"
            ) from None

    try:
        stored = await call.runtime.completions.update_metadata(completion_id, patch, check)
    except QuotaExceededError as exc:
        raise quota_error(exc) from None
    if stored is None:
        raise _not_found(completion_id)
    return Response(stored.body(), media_type="application/json")


async def delete_chat_completion(call: Call) -> Response:
    completion_id = call.path_params["completion_id"]
    if not await call.runtime.completions.delete(completion_id):
        raise _not_found(completion_id)
    if (call.surface or O).is_azure:  # in seed 001's order
        return json_response({"id": completion_id, "deleted": True, "object": "chat.completion.deleted"})
    return json_response({"object": "chat.completion.deleted", "id": completion_id, "deleted": True})


_STORED = "/chat/completions"
_ONE = "/chat/completions/{completion_id}"

OPERATIONS = (
    Operation(
        "create_chat_completion",
        "POST",
        (
            (A, "/deployments/{deployment_id}/chat/completions"),
            (V1, "/chat/completions"),
            (O, "/chat/completions"),
        ),
        create_chat_completion,
        Access.WRITE,
        Family.INFERENCE,
        feature="chat_completions",
        action="deployments/chat/completions/action",
    ),
    Operation(
        "list_chat_completions",
        "GET",
        ((A, _STORED), (A, "/deployments/{deployment_id}/chat/completions"), (V1, _STORED), (O, _STORED)),
        list_chat_completions,
        Access.READ,
        feature="stored_completions",
        action="stored-completions/read",
    ),
    Operation(
        "retrieve_chat_completion",
        "GET",
        ((A, _ONE), (V1, _ONE), (O, _ONE)),
        retrieve_chat_completion,
        Access.READ,
        feature="stored_completions",
        action="stored-completions/read",
    ),
    Operation(
        "update_chat_completion",
        "POST",
        ((A, _ONE), (V1, _ONE), (O, _ONE)),
        update_chat_completion,
        Access.WRITE,
        feature="stored_completions",
        action="stored-completions/write",
    ),
    Operation(
        "delete_chat_completion",
        "DELETE",
        ((A, _ONE), (V1, _ONE), (O, _ONE)),
        delete_chat_completion,
        Access.WRITE,
        feature="stored_completions",
        action="stored-completions/delete",
    ),
    Operation(
        "list_chat_completion_messages",
        "GET",
        ((A, _ONE + "/messages"), (V1, _ONE + "/messages"), (O, _ONE + "/messages")),
        list_chat_completion_messages,
        Access.READ,
        feature="stored_completions",
        action="stored-completions/read",
    ),
)

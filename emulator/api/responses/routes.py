"""The Responses operations on the three surfaces: thin handlers over the turn, the store and the events."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator

from starlette.responses import Response, StreamingResponse

from emulator.api.responses.events import events, sse
from emulator.api.responses.objects import at_stage
from emulator.api.responses.schemas import CreateResponseRequest, InputTokensRequest
from emulator.api.responses.store import ResponseStore, StoredResponse
from emulator.api.responses.turn import input_tokens, read_conversation, take_turn
from emulator.errors import ApiError, InvalidRequest, ObjectNotFound, QuotaExceeded
from emulator.http.pagination import list_envelope, parse_page, slice_after
from emulator.http.routing import Access, Call, Handler, JSONBytesResponse, Operation, json_response
from emulator.http.validation import parse_body
from emulator.model import limits
from emulator.resource.completions import QuotaExceededError
from emulator.surfaces import Family, Surface

A, V1, O = Surface.AZURE, Surface.AZURE_V1, Surface.OPENAI


class ResponseNotFound(ApiError):
    status = 404
    azure_code = "notFound"

    def __init__(self, response_id: str) -> None:
        super().__init__(f"Response with id '{response_id}' not found.", param="response_id")


def quota_error(exc: QuotaExceededError) -> QuotaExceeded:
    return QuotaExceeded(
        f"Store quota exceeded: {exc.used} of {exc.limit} bytes are in use and this response needs "
        f"{exc.needed} more. Delete stored responses or completions to free space, or send store: false.",
        param="store",
    )


def _store(call: Call) -> ResponseStore:
    return call.runtime.store(ResponseStore)


async def _stored(call: Call) -> StoredResponse:
    response_id = call.path_params["response_id"]
    stored = await _store(call).get(response_id, call.runtime.clock.now())
    if stored is None:
        raise ResponseNotFound(response_id)
    return stored


def _as_it_stands(stored: StoredResponse, now: float) -> Response:
    finished = json.loads(stored.record)
    status = stored.status_at(now, finished["status"])
    if status == finished["status"]:
        return Response(stored.record, media_type="application/json")
    return json_response(at_stage(finished, status))


async def create_response(call: Call) -> Response:
    raw = await call.body()
    request, _ = parse_body(CreateResponseRequest, raw)
    if request.background and not request.stored:
        raise InvalidRequest("Background responses must be stored: send store: true.", param="background")
    turn = await take_turn(call, request, len(raw))
    if request.stored:
        # Stored before the first event, so a store that cannot fit is a plain 400, not a broken stream.
        try:
            await _store(call).insert(turn.stored)
        except QuotaExceededError as exc:
            raise quota_error(exc) from None
    if request.stream:
        return _stream(turn.record, turn.tokenizer)
    if request.background:
        return json_response(at_stage(turn.record, "queued"))
    return JSONBytesResponse(turn.stored.record.encode())  # the stored text: not encoded twice


def _stream(record: dict[str, object], tokenizer: str, starting_after: int = -1) -> Response:
    async def body() -> AsyncIterator[bytes]:
        for event in events(record, tokenizer):
            if event["sequence_number"] > starting_after:
                yield sse(event)

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


def _starting_after(call: Call) -> int:
    raw = call.query.get("starting_after")
    if raw is None:
        return -1
    if not raw.lstrip("-").isdigit() or len(raw) > 18:
        raise InvalidRequest(
            f"Invalid 'starting_after': expected an integer, but got '{raw[:40]}' instead.",
            param="starting_after",
            code="invalid_type",
        )
    return int(raw)


async def retrieve_response(call: Call) -> Response:
    stored = await _stored(call)
    now = call.runtime.clock.now()
    if call.query.get("stream") != "true":
        return _as_it_stands(stored, now)
    # The stream again, from the event after `starting_after`: a finished response has all of its events.
    finished = json.loads(stored.record)
    status = stored.status_at(now, finished["status"])
    if status != finished["status"]:
        raise InvalidRequest(
            f"Response '{stored.id}' is {status}: the emulator streams a response again once it has "
            "finished. Retrieve it without stream to follow it, or advance the clock.",
            param="stream",
        )
    return _stream(finished, finished["model"], _starting_after(call))


async def delete_response(call: Call) -> Response:
    response_id = call.path_params["response_id"]
    if not await _store(call).delete(response_id, call.runtime.clock.now()):
        raise ResponseNotFound(response_id)
    return json_response({"id": response_id, "object": "response.deleted", "deleted": True})


async def list_input_items(call: Call) -> Response:
    stored = await _stored(call)
    page = parse_page(call.query, default_limit=20, max_limit=100, default_order="desc")
    items = json.loads(stored.input_items)
    if page.order == "desc":
        items.reverse()
    found = slice_after(items, page.after, page.limit)
    if found is None:
        raise ObjectNotFound("input item", page.after or "", param="after")
    data, has_more = found
    return json_response(list_envelope(data, has_more))


async def cancel_response(call: Call) -> Response:
    stored = await _stored(call)
    if not stored.background:
        raise InvalidRequest(
            "Only responses created with background: true can be cancelled.", param="response_id"
        )
    # A finished response is answered as it stands, as the cancel example of OpenAI's document shows.
    now = call.runtime.clock.now()
    return _as_it_stands(await _store(call).cancel(stored.id, now) or stored, now)


async def count_input_tokens(call: Call) -> Response:
    raw = await call.body()
    request, _ = parse_body(InputTokensRequest, raw)
    talk = await read_conversation(call, request)
    # Counted aside from the event loop when the conversation is large.
    count = await limits.counted(
        len(raw) + talk.context_bytes, functools.partial(input_tokens, talk, request)
    )
    return json_response({"object": "response.input_tokens", "input_tokens": count})


_ONE = "/responses/{response_id}"


def _operation(
    name: str, method: str, path: str, handler: Handler, access: Access, *, dated: bool = True
) -> Operation:
    surfaces = (A, V1, O) if dated else (V1, O)
    verb = "delete" if method == "DELETE" else access.value
    return Operation(
        name,
        method,
        tuple((surface, path) for surface in surfaces),
        handler,
        access,
        Family.INFERENCE,
        feature="responses",
        action=f"responses/{verb}",
    )


# Azure's dated surface has the routes its 2025-03-01-preview document has: no cancel, no token count.
OPERATIONS = (
    _operation("create_response", "POST", "/responses", create_response, Access.WRITE),
    _operation(
        "count_response_input_tokens",
        "POST",
        "/responses/input_tokens",
        count_input_tokens,
        Access.READ,
        dated=False,
    ),
    _operation("retrieve_response", "GET", _ONE, retrieve_response, Access.READ),
    _operation("delete_response", "DELETE", _ONE, delete_response, Access.WRITE),
    _operation("list_response_input_items", "GET", _ONE + "/input_items", list_input_items, Access.READ),
    _operation("cancel_response", "POST", _ONE + "/cancel", cancel_response, Access.WRITE, dated=False),
)

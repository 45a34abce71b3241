"""Operations and the one path every request takes through the emulator.

A request → the route of one operation on one surface → `dispatch`: credentials, api-version, the
operation's feature gate, the app's guards (the single place where rate limits, injected faults
and key roles act), then the handler. Any ApiError on the way is rendered once, in the envelope of
the surface and route family.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from emulator import jsontext
from emulator.errors import ApiError, ApiVersionNotSupported, InternalError
from emulator.http import auth, versions
from emulator.http.drops import ConnectionDropped
from emulator.http.versions import ApiVersion
from emulator.surfaces import Family, Surface

if TYPE_CHECKING:
    from emulator.runtime import Runtime

log = logging.getLogger("emulator")


class Access(str, Enum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Call:
    """What a handler gets: the request, where it came in, and the emulator behind it."""

    request: Request
    operation: Operation
    surface: Surface | None
    api_version: ApiVersion | None
    request_id: str
    runtime: Runtime
    # What a guard worked out about the request (its body, its deployment), kept for the handler.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def path_params(self) -> Mapping[str, str]:
        return self.request.path_params

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query_params

    async def body(self) -> bytes:
        """The whole body, read only while it stays within `max_request_bytes`: a declared length over
        it is refused before a byte is read, and a body that runs past it (chunked, or longer than it
        declared) as soon as it does. Read once: a guard that reads it leaves it for the handler."""
        body: bytes | None = self.cache.get("body")
        if body is None:
            body = self.cache["body"] = await read_body(self.request, self.runtime.settings.max_request_bytes)
        return body

    def location(self, path: str) -> str:
        """The absolute URL of `path` on this request's surface, for a 201's `Location` header."""
        prefix = (self.surface or Surface.AZURE).prefix
        return f"{str(self.request.base_url).rstrip('/')}{prefix}{path}"


def request_too_large(limit: int) -> ApiError:
    return ApiError(
        f"The request body is larger than {limit} bytes, the most this endpoint accepts. Send less (for "
        "example fewer or shorter messages, or images by URL), or raise the emulator's max_request_bytes "
        "setting.",
        status=413,
        openai_code="request_too_large",
        azure_code="requestTooLarge",
    )


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise request_too_large(limit)
    chunks: list[bytes] = []
    size = 0
    stream = request.stream()
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            await stream.aclose()  # closed now, on this loop, rather than by the collector later
            raise request_too_large(limit)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


Handler = Callable[[Call], Awaitable[Response]]
# What a guard may hand back: a change to the handler's response (headers, pacing, a cut stream).
Finish = Callable[[Response], Response]


class Guard(Protocol):
    """A check every request passes before its handler (emulator/guards/): `applies` says, cheaply and
    without waiting, whether this request needs it at all as the emulator is configured now; only then is
    the guard awaited. It may refuse (raise an ApiError) or return a Finish for the response."""

    def applies(self, call: Call) -> bool: ...

    async def __call__(self, call: Call) -> Finish | None: ...


@dataclass(frozen=True)
class Operation:
    """One API operation, named after the SDK method it serves, and the paths it has on each surface."""

    name: str
    method: str
    paths: tuple[tuple[Surface | None, str], ...]  # None: the emulator's own root, outside any surface
    handler: Handler
    access: Access
    family: Family = Family.AUTHORING
    feature: str | None = None  # api-version gate on Azure dated routes
    extension: bool = False  # an emulator-only route, not part of any service
    # The data action a principal's role must grant (Azure RBAC, after `Microsoft.CognitiveServices/
    # accounts/OpenAI/`); every service operation names one, the emulator's own routes none.
    action: str | None = None
    public: bool = False  # answered without credentials (health)
    extra: Mapping[str, Any] = field(default_factory=dict)


class JSONBytesResponse(Response):
    """JSON already written, with no headers of its own: the two Starlette's Response would add, set
    directly. Nearly every answer is one, and Starlette's general case costs more."""

    media_type = "application/json"

    def __init__(self, body: bytes, status_code: int = 200) -> None:
        self.status_code = status_code
        self.body = body
        self.background = None
        self.raw_headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    text = jsontext.compact_bytes(body)
    if headers or status < 200 or status in (204, 304):
        return Response(text, status_code=status, headers=dict(headers or {}), media_type="application/json")
    return JSONBytesResponse(text, status)


def error_response(error: ApiError, surface: Surface | None, family: Family) -> Response:
    surface = surface or Surface.OPENAI
    headers = dict(error.headers)
    return json_response(error.body(surface, family), error.status_for(surface), headers)


def _query_value(request: Request, name: str) -> str | None:
    """One query parameter, as `request.query_params.get(name)` reads it (the last one wins), without
    decoding the whole query string where nothing in it is escaped."""
    query: bytes = request.scope.get("query_string", b"")
    if b"%" in query or b"+" in query:
        return request.query_params.get(name)
    wanted, found = name.encode("latin-1"), None
    for pair in query.split(b"&"):
        key, _, value = pair.partition(b"=")
        if key == wanted:
            found = value.decode("latin-1")
    return found


def resolve_api_version(request: Request, surface: Surface, lenient: bool) -> ApiVersion | None:
    if surface is Surface.OPENAI:
        return None  # OpenAI's routes take no api-version: the query string is not even read
    raw = _query_value(request, "api-version")
    if surface is Surface.AZURE:
        return versions.resolve(raw, lenient=lenient)
    if surface is Surface.AZURE_V1 and raw not in (None, "", *versions.V1_VERSIONS):
        raise ApiVersionNotSupported(
            f"API version not supported: '{raw}'. Routes under /openai/v1 take api-version 'v1', "
            "'preview' or none."
        )
    return None


def with_request_ids(response: Response, request_id: str, surface: Surface | None) -> Response:
    # Appended to the raw list: no response carries these yet, and MutableHeaders would rebuild it.
    value = request_id.encode("latin-1")
    response.raw_headers.append((b"x-request-id", value))
    if surface is not None and surface.is_azure:
        response.raw_headers.append((b"apim-request-id", value))
    return response


async def dispatch(operation: Operation, surface: Surface | None, request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    # The emulator's own routes (health, clock, reset) stay off the seeded id sequence, so driving a
    # live server through them gives the same ids as driving an in-process one directly.
    request_id = str(uuid.uuid4()) if operation.extension else runtime.ids.uuid()
    try:
        if not operation.public:
            auth.check(request.headers, surface, auth.accepted_keys(runtime.settings))
        version = (
            None
            if surface is None
            else resolve_api_version(request, surface, runtime.settings.lenient_api_version)
        )
        if operation.feature is not None and surface is Surface.AZURE:
            versions.require(operation.feature, version)
        call = Call(request, operation, surface, version, request_id, runtime)
        finishers: list[Finish] = []
        for guard in request.app.state.guards:
            if guard.applies(call) and (finish := await guard(call)) is not None:
                finishers.append(finish)
        response = await operation.handler(call)
        for finish in finishers:
            response = finish(response)
    except ApiError as error:
        response = error_response(error, surface, operation.family)
    except ConnectionDropped:
        raise  # an injected fault: the connection goes without an answer
    except Exception:
        log.exception("unhandled error in %s", operation.name)
        response = error_response(
            InternalError("The emulator failed to process the request; see its log."),
            surface,
            operation.family,
        )
    return with_request_ids(response, request_id, surface)


class Endpoint:
    """One operation on one surface, as a route's ASGI app. Starlette would wrap a plain function in
    its own request/response and exception layers; `dispatch` already renders every error, so the
    route calls it directly."""

    def __init__(self, operation: Operation, surface: Surface | None) -> None:
        self.operation, self.surface = operation, surface
        self.__name__ = f"{operation.name}_{surface.value if surface else 'emulator'}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await dispatch(self.operation, self.surface, Request(scope, receive, send))
        except ConnectionDropped:
            if "aoai_emulator" not in scope.get("extensions", {}):
                # A server answers 500 for an app that fails before its response starts, and hangs up on
                # one that fails after: started, the connection drops as a reset one does.
                await send({"type": "http.response.start", "status": 200, "headers": []})
            raise
        await response(scope, receive, send)

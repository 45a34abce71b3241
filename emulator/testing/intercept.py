"""Serve unmodified code's SDK clients in-process: requests to Azure OpenAI or OpenAI hosts reach the emulator.

    with Interception(emulator):
        openai.AzureOpenAI(azure_endpoint="https://contoso.openai.azure.com", ...)   # served in-process

Two HTTP libraries carry the `openai` SDK: `httpx2` (openai 3.x) and `httpx` (openai 1.x, 2.x, and any
`http_client=httpx.Client()` a user hands to 3.x). `httpx` requests go through a respx router (one per
process, see RespxRoutes), so the emulator composes with the user's own respx mocks: hosts it does not
serve fall through to the routers the user started, or to the network when there are none; without respx
installed, httpx is wrapped as httpx2 is. respx does not know `httpx2`, so there the default transports'
request methods are wrapped for the emulator's hosts only and restored on `stop`.
"""

from __future__ import annotations

import contextvars
import fnmatch
import functools
import importlib
import re
from collections.abc import Callable, Coroutine, Iterable
from types import ModuleType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class InProcessEmulator(Protocol):
    """What interception needs of an in-process emulator (emulator/testing/emulators.py)."""

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T: ...

    def asgi(
        self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> Coroutine[Any, Any, Answer]: ...


# The hosts a production client talks to: Azure OpenAI resources (old and new domains) and OpenAI.
DEFAULT_HOSTS = (
    "*.openai.azure.com",
    "*.cognitiveservices.azure.com",
    "*.services.ai.azure.com",
    "api.openai.com",
)

HostMatcher = Callable[[str], bool]


def host_matcher(patterns: Iterable[str]) -> HostMatcher:
    """Shell-style host patterns (`*.openai.azure.com`), case-insensitive."""
    regex = re.compile("|".join(fnmatch.translate(p.lower()) for p in patterns))
    return lambda host: regex.match(host.lower()) is not None


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _asgi_args(request: Any, body: bytes) -> tuple[str, str, list[tuple[bytes, bytes]], bytes]:
    headers = [(name.lower(), value) for name, value in request.headers.raw]
    return request.method, str(request.url), headers, body


def serve_sync(emulator: InProcessEmulator, hx: ModuleType, request: Any) -> Any:
    coroutine = emulator.asgi(*_asgi_args(request, request.read()))
    status, headers, content = emulator.run(coroutine)
    return hx.Response(status, headers=headers, content=content, request=request)


async def serve_async(emulator: InProcessEmulator, hx: ModuleType, request: Any) -> Any:
    coroutine = emulator.asgi(*_asgi_args(request, await request.aread()))
    status, headers, content = await coroutine
    return hx.Response(status, headers=headers, content=content, request=request)


class TransportPatch:
    """`hx.HTTPTransport.handle_request` and its async twin, answering matching hosts from the emulator.

    Other hosts go to whatever the methods were when the patch started, so mocks already in place stay."""

    def __init__(self, hx: ModuleType, emulator: InProcessEmulator, matches: HostMatcher) -> None:
        self.hx, self.emulator, self.matches = hx, emulator, matches
        self._saved: list[tuple[type, str, Any, Any]] = []

    def start(self) -> None:
        hx, emulator, matches = self.hx, self.emulator, self.matches
        sync_original = hx.HTTPTransport.handle_request
        async_original = hx.AsyncHTTPTransport.handle_async_request

        def handle_request(transport: Any, request: Any) -> Any:
            if matches(request.url.host):
                return serve_sync(emulator, hx, request)
            return sync_original(transport, request)

        async def handle_async_request(transport: Any, request: Any) -> Any:
            if matches(request.url.host):
                return await serve_async(emulator, hx, request)
            return await async_original(transport, request)

        for cls, name, wrapper in (
            (hx.HTTPTransport, "handle_request", handle_request),
            (hx.AsyncHTTPTransport, "handle_async_request", handle_async_request),
        ):
            self._saved.append((cls, name, cls.__dict__.get(name), wrapper))
            setattr(cls, name, wrapper)

    def stop(self) -> None:
        while self._saved:
            cls, name, own, wrapper = self._saved.pop()
            if cls.__dict__.get(name) is not wrapper:
                raise RuntimeError(
                    f"{cls.__module__}.{cls.__qualname__}.{name} was patched again after the emulator's "
                    "interception started and not restored first; stop patches in reverse order."
                )
            if own is None:
                delattr(cls, name)
            else:
                setattr(cls, name, own)


# Set while respx resolves a request of an async client, so one side effect can serve both kinds.
_ASYNC_REQUEST: contextvars.ContextVar[bool] = contextvars.ContextVar("aoai_emulator_async", default=False)


class RespxRoutes:
    """One respx router for the process, serving whichever emulators are intercepting at the moment.

    It is started at first use and stays registered: starting respx patches httpcore afresh each time,
    which cost a test more than its whole emulator. With no emulator intercepting it matches nothing,
    and a request goes on as if respx had only the user's routers, or none."""

    def __init__(self) -> None:
        import httpx
        import respx
        from respx.models import AllMockedAssertionError

        self.active: list[tuple[InProcessEmulator, HostMatcher]] = []

        class EmulatorRouter(respx.MockRouter):
            async def async_handler(self, request: httpx.Request) -> httpx.Response:
                token = _ASYNC_REQUEST.set(True)
                try:
                    return await super().async_handler(request)
                finally:
                    _ASYNC_REQUEST.reset(token)

        router = EmulatorRouter(assert_all_called=False, assert_all_mocked=True)

        def route(request: httpx.Request) -> Any:
            for emulator, matches in reversed(self.active):
                if matches(request.url.host):
                    if _ASYNC_REQUEST.get():
                        return serve_async(emulator, httpx, request)
                    return serve_sync(emulator, httpx, request)
            if router.Mocker and any(other is not router for other in router.Mocker.routers):
                # Let the user's routers decide; should none serve it, theirs is the error the user sees.
                raise AllMockedAssertionError(f"RESPX: {request!r} not mocked!")
            return request  # no other mocks: the network, as without the emulator

        router.route().mock(side_effect=route)
        router.start()
        self.router = router

    def add(self, emulator: InProcessEmulator, matches: HostMatcher) -> Callable[[], None]:
        entry = (emulator, matches)
        self.active.append(entry)

        def remove() -> None:
            self.active.remove(entry)
            self.router.reset()  # respx keeps every call it saw: let them go with the test

        return remove


@functools.cache
def respx_routes() -> RespxRoutes:
    return RespxRoutes()


class Interception:
    """Route SDK traffic for `hosts` to an in-process emulator, through httpx2 and httpx, sync and async."""

    def __init__(
        self, emulator: InProcessEmulator, hosts: Iterable[str] = DEFAULT_HOSTS, *, use_respx: bool = True
    ) -> None:
        self.emulator = emulator
        self.hosts = tuple(hosts)
        self.use_respx = use_respx and _optional("respx") is not None
        self._stops: list[Callable[[], None]] = []

    def start(self) -> Interception:
        matches = host_matcher(self.hosts)
        try:
            httpx2 = _optional("httpx2")
            if httpx2 is not None:
                self._start_patch(httpx2, matches)
            httpx = _optional("httpx")
            if httpx is None or httpx is httpx2:  # httpx2.alias_httpx() makes them one module
                pass
            elif self.use_respx:
                self._stops.append(respx_routes().add(self.emulator, matches))
            else:
                self._start_patch(httpx, matches)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_patch(self, hx: ModuleType, matches: HostMatcher) -> None:
        patch = TransportPatch(hx, self.emulator, matches)
        patch.start()
        self._stops.append(patch.stop)

    def stop(self) -> None:
        while self._stops:
            self._stops.pop()()

    def __enter__(self) -> Interception:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

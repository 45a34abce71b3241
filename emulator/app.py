"""create_app(settings) → the Starlette app serving the three URL surfaces over one store."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator import portal
from emulator.api import registry
from emulator.errors import ApiError, MethodNotAllowed, ResourceNotFound, Unauthorized
from emulator.gate import Unavailable
from emulator.guards.install import standard_guards
from emulator.http import auth
from emulator.http.hostcheck import HostCheck
from emulator.http.route_index import IndexedRouter
from emulator.http.routing import Endpoint, Guard, Operation, error_response, with_request_ids
from emulator.runtime import Runtime
from emulator.settings import Settings
from emulator.surfaces import Family, Surface

_SURFACE_ORDER = {Surface.AZURE_V1: 0, Surface.OPENAI: 1, Surface.AZURE: 2, None: 3}


def all_operations() -> tuple[Operation, ...]:
    return registry.OPERATIONS


def full_path(surface: Surface | None, path: str) -> str:
    return (surface.prefix if surface else "") + path


def build_routes(operations: Iterable[Operation]) -> list[Route]:
    entries = [(op, surface, path) for op in operations for surface, path in op.paths]
    # /openai/v1/... first, so that no /openai/{param} route of the dated surface can shadow it.
    entries.sort(key=lambda e: _SURFACE_ORDER[e[1]])
    return [
        Route(full_path(surface, path), Endpoint(op, surface), methods=[op.method], name=None)
        for op, surface, path in entries
    ]


@functools.cache
def served_routes() -> tuple[Route, ...]:
    """Built once per process: a route holds nothing of its app (handlers reach the runtime through the
    request), and compiling the routes was most of what a fresh app cost."""
    return tuple(build_routes(all_operations()))


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.path_regex.match(request.url.path) and route.methods:
            methods |= route.methods - {"HEAD"}
    return sorted(methods)


async def _unrouted(request: Request, exc: HTTPException) -> Response:
    """404 and 405 in the surface's own envelope, after the credentials check as the gateway does."""
    runtime: Runtime = request.app.state.runtime
    surface = Surface.of_path(request.url.path)
    request_id = runtime.ids.uuid()
    error: ApiError
    try:
        auth.check(request.headers, surface, auth.accepted_keys(runtime.settings))
        if exc.status_code == 405:
            allowed = ", ".join(_allowed_methods(request))
            error = MethodNotAllowed(
                f"Method {request.method} is not allowed on {request.url.path}. Allowed: {allowed}.",
                headers={"allow": allowed},
            )
        elif surface is Surface.AZURE:
            error = ResourceNotFound()
        else:
            error = ResourceNotFound(f"Invalid URL ({request.method} {request.url.path})")
            error.openai_code = None  # OpenAI leaves code null on an unknown URL
    except Unauthorized as unauthorized:
        error = unauthorized
    return with_request_ids(error_response(error, surface, Family.AUTHORING), request_id, surface)


async def _refuse(error: ApiError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer before routing, in the envelope of the surface the path names."""
    surface = Surface.of_path(scope["path"])
    response = with_request_ids(error_response(error, surface, Family.AUTHORING), str(uuid.uuid4()), surface)
    await response(scope, receive, send)


def _closing_connection(send: Send) -> Send:
    """`send` with `Connection: close` on the response: once the server is stopping, a kept-alive
    connection would otherwise carry requests until the shutdown's grace period cuts them off."""

    async def closing(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), (b"connection", b"close")]}
        await send(message)

    return closing


def _is_portal(path: str) -> bool:
    return path == portal.PREFIX or path.startswith(portal.PREFIX + "/")


class _EmulatorApp(Starlette):
    """Starlette without its error middleware: every operation renders its own errors (`dispatch`), so
    the only exceptions left are the router's 404 and 405, answered here in the surface's envelope.

    Each request holds a lease on the runtime's gate from routing to the end of its response, so that a
    reset or stop waits for it (emulator/gate.py)."""

    def build_middleware_stack(self) -> ASGIApp:
        router = self.router
        state = self.state

        async def route(scope: Scope, receive: Receive, send: Send) -> None:
            try:
                await router(scope, receive, send)
            except HTTPException as unrouted:
                response = await _unrouted(Request(scope, receive, send), unrouted)
                await response(scope, receive, send)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await router(scope, receive, send)
                return
            if _is_portal(scope["path"]):
                # The portal's pages hold no lease: they reach the state only through API requests,
                # which take their own, so a reset meanwhile waits for those and not for the page.
                await route(scope, receive, send)
                return
            gate = state.runtime.gate
            try:
                await gate.enter()
            except Unavailable as refusal:
                await _refuse(refusal, scope, receive, send)
                return
            if gate.winding_down:
                send = _closing_connection(send)
            try:
                await route(scope, receive, send)
            finally:
                gate.leave()

        if state.served_hosts is not None:
            return HostCheck(app, *state.served_hosts)
        return app


def create_app(
    settings: Settings | None = None, *, started: Callable[[], None] | None = None, served: bool = False
) -> Starlette:
    """`started` runs once the runtime has started, before the first request. `served`: the app answers
    a socket, so requests must name an allowed host (emulator/http/hostcheck.py); in-process requests come
    addressed to whatever host the code under test uses."""
    settings = settings or Settings()
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        if started is not None:
            started()
        try:
            yield
        finally:
            await runtime.stop()

    app = _EmulatorApp(routes=[*served_routes(), *portal.routes()], lifespan=lifespan)
    # Azure answers a trailing-slash variant with 404, not a redirect.
    app.router = IndexedRouter(app.router.routes, redirect_slashes=False, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.operations = all_operations()
    app.state.docs = registry.DOCS
    # Checks every request passes before its handler (rate limits, injected faults, key roles): they
    # outlive resets, as the app does.
    guards: list[Guard] = standard_guards()
    app.state.guards = guards
    app.state.served_hosts = (settings.allowed_hosts, settings.host) if served else None
    return app

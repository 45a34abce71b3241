"""Served requests must name an allowed host in their `Host` header: a guard against DNS rebinding.

A web page the developer visits can make its own domain resolve to 127.0.0.1 and then talk to a
loopback-only emulator from the browser; its requests still carry the page's domain as their `Host`.
So a served emulator answers only requests addressed to a loopback name or address (`localhost`,
127.0.0.0/8, `::1`, any port), to the address it was bound to, or to names the operator allowed
(`--allowed-host NAME`, `*` for any). Anything else is refused with 421 Misdirected Request in the
surface's error envelope, before credentials are looked at.

Only the served app is wrapped (see cli.py): in-process requests never cross a socket, and their URLs
name whatever host the code under test uses.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.errors import ApiError
from emulator.http.routing import error_response, with_request_ids
from emulator.surfaces import Family, Surface

ANY_HOST = "*"
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})
_VERDICTS_KEPT = 256  # Host values remembered; a client sending endless new ones is checked afresh


class HostNotAllowed(ApiError):
    status = 421
    azure_code = "invalidHost"
    openai_code = "invalid_host"

    def __init__(self, host: str) -> None:
        super().__init__(
            f"Host '{host}' is not allowed. The emulator answers requests addressed to localhost or a "
            "loopback address, so that web pages cannot reach it through DNS rebinding. To serve it under "
            f"this name, start it with --allowed-host {host_name(host)} (or add the name to "
            "AOAI_EMULATOR_ALLOWED_HOSTS).",
        )


def host_name(header: str) -> str:
    """The name or address of a `Host` header value, without its port or IPv6 brackets, lowercased."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header[1:]
    name, colon, port = header.rpartition(":")
    if colon and ":" not in name and port.isdigit():
        return name
    return header


def is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_wildcard(bind_host: str) -> bool:
    return bind_host in WILDCARD_BINDS


class HostCheck:
    """ASGI middleware: refuse HTTP requests whose `Host` is not loopback, the bound address or allowed."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = (), bind_host: str = "127.0.0.1") -> None:
        self.app = app
        names = {host_name(name) for name in allowed if name.strip()}
        self.allow_any = ANY_HOST in names
        if not is_wildcard(bind_host):
            names.add(host_name(bind_host))
        self.names = frozenset(names)
        self._verdicts: dict[bytes, bool] = {}

    def allows(self, header: bytes) -> bool:
        verdict = self._verdicts.get(header)
        if verdict is None:
            name = host_name(header.decode("latin-1"))
            verdict = name in self.names or is_loopback(name)
            if len(self._verdicts) < _VERDICTS_KEPT:
                self._verdicts[header] = verdict
        return verdict

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.allow_any:
            # No Host header at all (HTTP/1.0) names no foreign site: browsers always send one.
            host = next((value for key, value in scope["headers"] if key == b"host"), None)
            if host is not None and not self.allows(host):
                surface = Surface.of_path(scope["path"])
                error = HostNotAllowed(host.decode("latin-1"))
                response = error_response(error, surface, Family.AUTHORING)
                await with_request_ids(response, str(uuid.uuid4()), surface)(scope, receive, send)
                return
        await self.app(scope, receive, send)

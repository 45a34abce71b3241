"""The one client of the emulator-only routes (`/_emulator/...`), over any transport.

    control = ControlClient(SocketTransport("http://127.0.0.1:8000"), key)   # a running emulator
    control.advance(3600)
    control.create_deployment("summaries", "gpt-4o-mini")

A transport is a function `(method, path, headers, body) -> (status, content)`: `SocketTransport` sends
over a real socket (the live emulator, the command line), an in-process emulator passes its app
(emulator/testing/emulators.py). Refusals raise the errors of emulator/control/api.py, with the service's message
and the field it names. Standard library only, so the command line needs nothing more than the server.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from emulator.control.api import (
    ADVANCE_PATH,
    CLOCK_PATH,
    DEPLOYMENTS_PATH,
    DISTILL_PATH,
    EVALUATE_PATH,
    HEALTH_PATH,
    KEY_HEADER,
    RESET_PATH,
    SCRIPTS_PATH,
    SEED_PATH,
    SETTLE_PATH,
    STATE_PATH,
    ControlError,
    DeploymentRefused,
    DistillationRefused,
    EvaluationRefused,
    ExtensionRefused,
    ScriptError,
    SeedingFailed,
)

SeedSource = str | Path | Sequence[Mapping[str, Any]]


class Transport(Protocol):
    def __call__(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None
    ) -> tuple[int, bytes]: ...


class SocketTransport:
    """HTTP/1.1 to `endpoint` (http or https, with an optional path prefix): a connection per exchange,
    closed before the exchange returns. Connection failures raise OSError."""

    def __init__(self, endpoint: str, timeout: float = 60.0) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the endpoint must be an http:// or https:// URL, not {endpoint!r}")
        self.endpoint = endpoint.rstrip("/")
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, parts.port
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout

    def __call__(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None
    ) -> tuple[int, bytes]:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = kind(self._host, self._port, timeout=self._timeout)
        try:
            connection.request(method, self._prefix + path, body=body, headers=dict(headers))
            with connection.getresponse() as response:
                return response.status, response.read()
        except http.client.HTTPException as broken:  # a peer that is not an HTTP server, or hung up
            raise ConnectionError(f"{type(broken).__name__}: {broken}") from None
        finally:
            connection.close()


@dataclass(frozen=True)
class Reply:
    status: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content) if self.content else None

    def error(self) -> dict[str, Any]:
        """The error envelope's `error` (message, param, code), or the raw text as its message."""
        try:
            found = json.loads(self.content or b"{}").get("error")
        except (ValueError, AttributeError):
            found = None
        if isinstance(found, dict):
            return found
        return {"message": self.content.decode(errors="replace") or f"HTTP {self.status}", "param": None}


def seed_body(source: SeedSource) -> dict[str, Any]:
    """The seeding route's body from a JSON file (`{"completions": [...]}` or a bare array) or a list."""
    data: Any = json.loads(Path(source).read_text("utf-8")) if isinstance(source, (str, Path)) else source
    return data if isinstance(data, dict) else {"completions": list(data)}


class ControlClient:
    """The emulator-only routes as methods, for one emulator reached through `transport` with `key`."""

    def __init__(self, transport: Transport, key: str) -> None:
        self.transport, self.key = transport, key

    def send(self, method: str, path: str, body: Any = None) -> Reply:
        """One request, `body` sent as JSON; the reply whatever its status."""
        headers = {KEY_HEADER: self.key}
        data = None
        if body is not None:
            headers["content-type"] = "application/json"
            data = json.dumps(body).encode()
        return Reply(*self.transport(method, path, headers, data))

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """The decoded answer of a request that must succeed; an error status raises ControlError."""
        reply = self.send(method, path, body)
        if reply.status >= 400:
            raise ControlError(reply.status, _decoded(reply))
        return reply.json()

    def healthy(self) -> bool:
        return self.send("GET", HEALTH_PATH).status == 200

    def reset(self, **overrides: Any) -> float:
        """A fresh emulator, with these settings changed (control_api.RESETTABLE); returns the clock."""
        return float(self.call("POST", RESET_PATH, overrides)["now"])

    def now(self) -> float:
        return float(self.call("GET", CLOCK_PATH)["now"])

    def advance(self, seconds: float) -> float:
        return float(self.call("POST", ADVANCE_PATH, {"seconds": seconds})["now"])

    def settle_jobs(self) -> float:
        return float(self.call("POST", SETTLE_PATH, {})["now"])

    def state(self) -> dict[str, Any]:
        return dict(self.call("GET", STATE_PATH))

    def add_scripts(self, rules: Sequence[Mapping[str, Any]]) -> list[str]:
        reply = self.send("POST", SCRIPTS_PATH, {"rules": list(rules)})
        if reply.status != 201:
            error = reply.error()
            raise ScriptError(str(error.get("message")), error.get("param") or "rules")
        return list(reply.json()["ids"])

    def clear_scripts(self) -> int:
        return int(self.call("DELETE", SCRIPTS_PATH)["deleted"])

    def seed_stored_completions(self, source: SeedSource) -> list[str]:
        reply = self.send("POST", SEED_PATH, seed_body(source))
        if reply.status != 200:
            raise SeedingFailed(reply.status, reply.content)
        return list(reply.json()["ids"])

    def evaluate(self, testing_criteria: Sequence[Mapping[str, Any]], **options: Any) -> dict[str, Any]:
        body = {"testing_criteria": list(testing_criteria), **options}
        return self._extension(EVALUATE_PATH, body, EvaluationRefused)

    def distill(self, model: str, **options: Any) -> dict[str, Any]:
        return self._extension(DISTILL_PATH, {"model": model, **options}, DistillationRefused)

    def create_deployment(self, name: str, model: str, **options: Any) -> dict[str, Any]:
        body = {"name": name, "model": model, **options}
        return self._extension(DEPLOYMENTS_PATH, body, DeploymentRefused)

    def delete_deployment(self, name: str) -> None:
        reply = self.send("DELETE", f"{DEPLOYMENTS_PATH}/{name}")
        if reply.status != 200:
            raise _refusal(reply, DeploymentRefused)

    def _extension(self, path: str, body: dict[str, Any], refused: type[ExtensionRefused]) -> dict[str, Any]:
        reply = self.send("POST", path, body)
        if reply.status != 201:
            raise _refusal(reply, refused)
        return dict(reply.json())


def _refusal(reply: Reply, refused: type[ExtensionRefused]) -> ExtensionRefused:
    error = reply.error()
    return refused(str(error.get("message")), error.get("param"))


def _decoded(reply: Reply) -> Any:
    try:
        return reply.json()
    except ValueError:
        return reply.content.decode(errors="replace")

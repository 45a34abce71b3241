"""Run the emulator for tests: in-process (no socket) or as a real uvicorn process, one interface.

    with InProcessEmulator() as emu:                 # a fresh in-memory emulator
        client = emu.azure_client()                  # openai.AzureOpenAI, served in-process
        client.chat.completions.create(model="gpt-4o", messages=[...], store=True)
        emu.advance(3600)                            # move the simulated clock

`LiveEmulator` offers the same methods against `aoai-emulator serve` on a free loopback port. Both reach
the emulator-only routes through `emu.control` (emulator/control/client.py).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping, MutableMapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload
from urllib.parse import urlsplit

import anyio
import anyio.from_thread

from emulator.app import create_app
from emulator.control.api import (
    AZURE_ENDPOINT,
    DEFAULT_API_VERSION,
    ControlError,
    DeploymentRefused,
    DistillationRefused,
    EvaluationRefused,
    ExtensionRefused,
    ScriptError,
    SeedingFailed,
)
from emulator.control.client import ControlClient, SeedSource, SocketTransport
from emulator.settings import DEFAULT_API_KEY, DEFAULT_CLOCK_START, Settings
from emulator.testing.driver import PortalThread, portal_loop, run_here
from emulator.testing.intercept import serve_async, serve_sync

if TYPE_CHECKING:  # openai, httpx and httpx2 come with the SDK the tests use, not with the emulator
    from typing import TypeAlias

    import httpx
    import httpx2
    import openai

    from emulator.runtime import Runtime

    # The HTTP library the installed openai takes its `http_client` from (sdk_http_module): httpx2 since
    # openai 3, httpx before; where that is httpx, these name it only when httpx2 is installed too.
    SDKHTTPClient: TypeAlias = httpx2.Client
    SDKAsyncHTTPClient: TypeAlias = httpx2.AsyncClient
    # Either library's, when a test asks for one by `module`: they have the same methods.
    HTTPClient: TypeAlias = httpx2.Client | httpx.Client | httpx2.AsyncClient | httpx.AsyncClient

__all__ = [
    "AZURE_ENDPOINT",
    "DEFAULT_API_VERSION",
    "ControlError",
    "DeploymentRefused",
    "DistillationRefused",
    "EvaluationRefused",
    "ExtensionRefused",
    "InProcessEmulator",
    "LiveEmulator",
    "ScriptError",
    "SeedSource",
    "SeedingFailed",
    "free_port",
    "in_process",
    "sdk_http_module",
]

T = TypeVar("T")


def sdk_http_module() -> ModuleType:
    """The HTTP library the installed `openai` talks through: httpx2 for openai 3.x, httpx before."""
    try:
        importlib.import_module("openai._httpx2")
        return importlib.import_module("httpx2")
    except ImportError:
        return importlib.import_module("httpx")


class _Clients:
    """SDK clients for both surfaces, sync and async, given where to send requests; and the emulator-only
    routes through `control`."""

    key: str
    endpoint: str
    control: ControlClient

    @overload
    def http_client(self, asynchronous: Literal[False] = False, module: None = None) -> SDKHTTPClient: ...
    @overload
    def http_client(self, asynchronous: Literal[True], module: None = None) -> SDKAsyncHTTPClient: ...
    @overload
    def http_client(self, asynchronous: bool = False, module: ModuleType | None = None) -> HTTPClient: ...
    def http_client(self, asynchronous: bool = False, module: ModuleType | None = None) -> HTTPClient:
        """A plain httpx/httpx2 client (`module`, by default the SDK's) for raw HTTP tests, with the
        emulator as its base URL."""
        return self._http_client(asynchronous, module or sdk_http_module())

    def _http_client(self, asynchronous: bool, hx: ModuleType) -> HTTPClient:
        raise NotImplementedError

    def close_clients(self) -> None:
        """Close the HTTP clients handed out that hold a connection (none in-process)."""

    def azure_client(self, api_version: str = DEFAULT_API_VERSION, **kwargs: Any) -> openai.AzureOpenAI:
        import openai

        kwargs.setdefault("api_key", self.key)
        kwargs.setdefault("max_retries", 0)
        return openai.AzureOpenAI(
            azure_endpoint=self.endpoint,
            api_version=api_version,
            http_client=self.http_client(False),
            **kwargs,
        )

    def async_azure_client(
        self, api_version: str = DEFAULT_API_VERSION, **kwargs: Any
    ) -> openai.AsyncAzureOpenAI:
        import openai

        kwargs.setdefault("api_key", self.key)
        kwargs.setdefault("max_retries", 0)
        return openai.AsyncAzureOpenAI(
            azure_endpoint=self.endpoint,
            api_version=api_version,
            http_client=self.http_client(True),
            **kwargs,
        )

    def openai_client(self, base_url: str | None = None, **kwargs: Any) -> openai.OpenAI:
        import openai

        kwargs.setdefault("api_key", self.key)
        kwargs.setdefault("max_retries", 0)
        return openai.OpenAI(
            base_url=base_url or self.endpoint + "/v1", http_client=self.http_client(False), **kwargs
        )

    def async_openai_client(self, base_url: str | None = None, **kwargs: Any) -> openai.AsyncOpenAI:
        import openai

        kwargs.setdefault("api_key", self.key)
        kwargs.setdefault("max_retries", 0)
        return openai.AsyncOpenAI(
            base_url=base_url or self.endpoint + "/v1", http_client=self.http_client(True), **kwargs
        )

    def script(
        self,
        match: str | None = None,
        reply: Any = None,
        *,
        regex: str | None = None,
        deployment: str | None = None,
        replies: list[Any] | None = None,
        times: int | None = None,
    ) -> str:
        """Script the model: requests whose last user message contains `match` (or matches `regex`)
        get `reply` (or the next of `replies`). Answers: text, {"json": ...}, {"tool_calls": [...]},
        {"error": {"status": 429, "code": "..."}}; see emulator/model/scripts.py. Returns the rule's id."""
        given: dict[str, Any] = {"match": match, "regex": regex, "deployment": deployment, "times": times}
        rule = {k: v for k, v in given.items() if v is not None}
        rule.update({"replies": replies} if replies is not None else {"reply": reply})
        return self.add_scripts([rule])[0]

    def add_scripts(self, rules: list[dict[str, Any]]) -> list[str]:
        """Add rules in the JSON form `POST /_emulator/scripts` takes; all of them or, if one is bad, none
        (ScriptError naming the field)."""
        return self.control.add_scripts(rules)

    def clear_scripts(self) -> int:
        return self.control.clear_scripts()

    def seed_stored_completions(self, source: SeedSource) -> list[str]:
        """Store the completions of a JSON file (see fixtures/) or a list, with their own ids and times;
        a refused batch raises SeedingFailed."""
        return self.control.seed_stored_completions(source)

    def evaluate(self, testing_criteria: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
        """The portal's Evaluate action (`POST /_emulator/evaluate`): stored completions chosen by
        `metadata`, `model`, `created_after`, `created_before`, `ids`, `limit` become a data file, an eval
        and a run (of the stored answers, or `generate_with="<deployment>"`'s). Returns {file, eval, run};
        a refusal raises EvaluationRefused."""
        return self.control.evaluate(testing_criteria, **options)

    def distill(self, model: str, **options: Any) -> dict[str, Any]:
        """The portal's Distill action (`POST /_emulator/distill`): stored completions chosen by
        `metadata`, `stored_model`, `created_after`, `created_before`, `ids`, `limit` (at least 10) become
        a closed training file and a fine-tuning job of `model` (with `hyperparameters`, `suffix`, `seed`,
        `validation_split`, `surface="azure"|"openai"`). Returns {completions, training_file,
        validation_file, job}; a refusal raises DistillationRefused."""
        return self.control.distill(model, **options)

    def create_deployment(self, name: str, model: str, **options: Any) -> dict[str, Any]:
        """Deploy `model` (a base model, or a fine-tuned model whose job succeeded) as `name`, ready at
        once (`POST /_emulator/deployments`; `version=`, `settings=`). A refusal raises DeploymentRefused."""
        return self.control.create_deployment(name, model, **options)

    def delete_deployment(self, name: str) -> None:
        self.control.delete_deployment(name)


class InProcessEmulator(_Clients):
    """The app in this process: SDK clients reach it through an in-memory transport, and each request runs
    on the thread that makes it (emulator/testing/driver.py). Start-up and shut-down run on a portal's thread."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        portal: anyio.from_thread.BlockingPortal | None = None,
        **overrides: Any,
    ) -> None:
        """`portal`: an event-loop thread to share (the pytest plugin keeps one per session, so a fresh
        emulator costs only its app and database); without it the emulator starts and owns one, on a
        daemon thread, so an emulator never closed does not keep the process from exiting.

        Without `settings`, any non-empty key or token is served, as mocks do, so that clients the code
        under test built with a placeholder key work; `check_api_keys=True` checks keys as the server
        does (for tests of 401 handling)."""
        if settings is None:
            settings = Settings(check_api_keys=False)
        self.settings = settings.replace(**overrides) if overrides else settings
        self.key = self.settings.api_keys[0]
        self.endpoint = AZURE_ENDPOINT
        self.control = ControlClient(self._exchange, self.key)
        # Called with (method, url, status, headers, body) after every in-process response.
        self.observers: list[Callable[[str, str, int, list[tuple[bytes, bytes]], bytes], None]] = []
        self.app = create_app(self.settings)
        self._own_portal: PortalThread | None = None
        if portal is None:
            self._own_portal = PortalThread()
            portal = self._own_portal.portal
        self.portal = portal
        self._lifespan = self.app.router.lifespan_context(self.app)
        try:
            self.portal.call(self._lifespan.__aenter__)
            self._fallback_loop = portal_loop(self.portal)
        except BaseException:
            if self._own_portal:
                self._own_portal.stop()
            raise
        self._closed = False

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    def __enter__(self) -> InProcessEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.portal.call(self._lifespan.__aexit__, None, None, None)
        finally:
            if self._own_portal:
                self._own_portal.stop()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine of the emulator's to its end, as in-process requests run (emulator/testing/driver.py)."""
        return run_here(coroutine, self._fallback_loop)

    def call(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run a coroutine function of the emulator's and return its result."""
        return self.run(fn(*args))

    def reset(self, **overrides: Any) -> None:
        """A fresh emulator; `overrides` may change any setting, not only those a server's reset takes."""
        self.run(self.runtime.reset(**overrides))

    def advance(self, seconds: float) -> float:
        return float(self.runtime.clock.advance(seconds))

    def now(self) -> float:
        return float(self.runtime.clock.now())

    def settle_jobs(self) -> float:
        """Advance the clock until every fine-tuning job that can finish has; returns the new time."""
        return float(self.run(self.runtime.settle_jobs()))

    def _exchange(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None
    ) -> tuple[int, bytes]:
        """The control client's transport: one request through the app, as `asgi` makes it."""
        raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        status, _, content = self.run(self.asgi(method, self.endpoint + path, raw, body or b""))
        return status, content

    async def asgi(
        self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """One request through the ASGI app, on the loop that awaits it."""
        parts = urlsplit(url)
        # Made only when the app listens for a disconnect (streaming): most requests never do.
        done: anyio.Event | None = None
        finished = sent_body = False
        status = 500
        response_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent_body, done
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            if not finished:
                done = done or anyio.Event()
                await done.wait()
            return {"type": "http.disconnect"}

        def finish() -> None:
            nonlocal finished
            finished = True
            if done is not None:
                done.set()

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    finish()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": parts.scheme or "https",
            "path": parts.path,
            "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": (parts.hostname or "emulator", parts.port or 443),
        }
        await self.app(scope, receive, send)
        finish()
        content = b"".join(chunks)
        for observe in self.observers:
            observe(method, url, status, response_headers, content)
        return status, response_headers, content

    def _http_client(self, asynchronous: bool, hx: ModuleType) -> HTTPClient:
        # No socket behind it: a client used after the emulator closed still gets the app's 503.
        transport = async_transport(self, hx) if asynchronous else sync_transport(self, hx)
        client: HTTPClient = (hx.AsyncClient if asynchronous else hx.Client)(
            transport=transport, base_url=self.endpoint
        )
        return client


def sync_transport(emulator: InProcessEmulator, hx: ModuleType) -> httpx2.BaseTransport | httpx.BaseTransport:
    # The base class is the library's chosen at run time (httpx2 or httpx): not known to the checker.
    class EmulatorTransport(hx.BaseTransport):  # type: ignore[misc, name-defined]
        def handle_request(self, request: Any) -> Any:
            return serve_sync(emulator, hx, request)

    return EmulatorTransport()


def async_transport(
    emulator: InProcessEmulator, hx: ModuleType
) -> httpx2.AsyncBaseTransport | httpx.AsyncBaseTransport:
    class AsyncEmulatorTransport(hx.AsyncBaseTransport):  # type: ignore[misc, name-defined]
        async def handle_async_request(self, request: Any) -> Any:
            return await serve_async(emulator, hx, request)

    return AsyncEmulatorTransport()


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveEmulator(_Clients):
    """`aoai-emulator serve --in-memory` on a free loopback port, in a process of its own.

    What the server prints goes to a file (`output()`), never to a pipe nobody reads: a chatty server
    would fill the pipe and stall. The sync HTTP clients it hands out (SDK clients' included) are closed
    by `close_clients()` and when it closes, so a test that never closes its SDK client leaves no socket
    open. An async client's connections belong to the event loop that used them: close it there
    (`async with server.async_azure_client() as client:`)."""

    def __init__(
        self,
        *,
        clock_start: float | None = DEFAULT_CLOCK_START,
        key: str = DEFAULT_API_KEY,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 20.0,
    ) -> None:
        self.key = key
        self._lock = threading.Lock()
        self._handed_out: list[httpx2.Client | httpx.Client] = []
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.control = ControlClient(SocketTransport(self.endpoint, timeout=60.0), key)
        command = [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--in-memory",
            "--port",
            str(self.port),
            "--api-key",
            key,
            *extra_args,
        ]
        if clock_start is not None:
            command += ["--clock-start", str(clock_start)]
        self._output_dir = tempfile.TemporaryDirectory(prefix="aoai-emulator-live-")
        self._output = Path(self._output_dir.name) / "server.log"
        try:
            # The server appends through a handle of its own; ours is closed once it has started.
            with open(self._output, "ab") as log:
                self.process = subprocess.Popen(
                    command,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
        except BaseException:
            self._output_dir.cleanup()
            raise
        self._wait_healthy(startup_timeout)

    def output(self) -> str:
        """What the server has printed so far (stdout and stderr)."""
        try:
            return self._output.read_bytes().decode(errors="replace")
        except FileNotFoundError:  # closed
            return ""

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        probe = ControlClient(SocketTransport(self.endpoint, timeout=1.0), self.key)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.output()
                self.close()
                raise RuntimeError(f"aoai-emulator serve exited with {self.process.returncode}:\n{output}")
            try:
                if probe.healthy():
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.close()
        raise RuntimeError(f"aoai-emulator serve did not answer /health within {timeout} s")

    def reset(self, **overrides: Any) -> None:
        """A fresh emulator, with these settings changed (those listed in control_api.RESETTABLE)."""
        self.control.reset(**overrides)

    def advance(self, seconds: float) -> float:
        return self.control.advance(seconds)

    def now(self) -> float:
        return self.control.now()

    def settle_jobs(self) -> float:
        """Advance the clock until every fine-tuning job that can finish has; returns the new time."""
        return self.control.settle_jobs()

    def _http_client(self, asynchronous: bool, hx: ModuleType) -> HTTPClient:
        if asynchronous:
            async_client: HTTPClient = hx.AsyncClient(base_url=self.endpoint)
            return async_client
        client: httpx2.Client | httpx.Client = hx.Client(base_url=self.endpoint)
        with self._lock:
            self._handed_out = [c for c in self._handed_out if not c.is_closed]
            self._handed_out.append(client)
        return client

    def close_clients(self) -> None:
        """Close every sync HTTP client this server handed out that is still open: a session-long server's
        fixture calls it after each test."""
        with self._lock:
            handed_out, self._handed_out = self._handed_out, []
        for client in handed_out:
            client.close()

    def __enter__(self) -> LiveEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.close_clients()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._output_dir.cleanup()


@contextlib.contextmanager
def in_process(**overrides: Any) -> Iterator[InProcessEmulator]:
    emulator = InProcessEmulator(**overrides)
    try:
        yield emulator
    finally:
        emulator.close()

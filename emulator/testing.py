"""Run the emulator for tests: in-process (no socket) or as a real uvicorn process, one interface.

    with InProcessEmulator() as emu:                 # a fresh in-memory emulator
        client = emu.azure_client()                  # openai.AzureOpenAI, served in-process
        client.chat.completions.create(model="gpt-4o", messages=[...], store=True)
        emu.advance(3600)                            # move the simulated clock

`LiveEmulator` offers the same methods against `aoai-emulator serve` on a free loopback port.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Iterator, MutableMapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload
from urllib.parse import urlsplit

import anyio
import anyio.from_thread

from emulator.app import create_app
from emulator.driver import portal_loop, run_here
from emulator.intercept import serve_async, serve_sync
from emulator.model.scripts import ScriptError
from emulator.resources.deployments import PATH as DEPLOYMENTS_PATH
from emulator.resources.deployments import DeploymentRefused
from emulator.resources.distill import PATH as DISTILL_PATH
from emulator.resources.distill import DistillationRefused
from emulator.resources.evaluate import PATH as EVALUATE_PATH
from emulator.resources.evaluate import EvaluationRefused, ExtensionRefused
from emulator.resources.seeding import PATH as SEED_PATH
from emulator.resources.seeding import SeedingFailed, SeedSource, seed_body, seeded_ids
from emulator.settings import DEFAULT_API_KEY, DEFAULT_CLOCK_START, Settings

if TYPE_CHECKING:  # openai, httpx and httpx2 come with the SDK the tests use, not with the emulator
    from typing import TypeAlias

    import httpx
    import httpx2
    import openai

    from emulator.runtime import Runtime

    # A raw HTTP client is the library the installed openai talks through (httpx2 since openai 3,
    # httpx before) or the one asked for: either has the same methods.
    HTTPClient: TypeAlias = httpx2.Client | httpx.Client
    AsyncHTTPClient: TypeAlias = httpx2.AsyncClient | httpx.AsyncClient

T = TypeVar("T")

AZURE_ENDPOINT = "https://emulator.openai.azure.com"
SCRIPTS_PATH = "/_emulator/scripts"
DEFAULT_API_VERSION = "2025-04-01-preview"


def sdk_http_module() -> ModuleType:
    """The HTTP library the installed `openai` talks through: httpx2 for openai 3.x, httpx before."""
    try:
        importlib.import_module("openai._httpx2")
        return importlib.import_module("httpx2")
    except ImportError:
        return importlib.import_module("httpx")


class _Clients:
    """SDK clients for both flavours, sync and async, given where to send requests."""

    key: str
    endpoint: str

    def _http_client(self, asynchronous: bool) -> Any:
        raise NotImplementedError

    def azure_client(self, api_version: str = DEFAULT_API_VERSION, **kwargs: Any) -> openai.AzureOpenAI:
        import openai

        kwargs.setdefault("api_key", self.key)
        kwargs.setdefault("max_retries", 0)
        return openai.AzureOpenAI(
            azure_endpoint=self.endpoint,
            api_version=api_version,
            http_client=self._http_client(False),
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
            http_client=self._http_client(True),
            **kwargs,
        )

    def openai_client(self, base_url: str | None = None, **kwargs: Any) -> openai.OpenAI:
        import openai

        kwargs.setdefault("api_key", self.key)
        kwargs.setdefault("max_retries", 0)
        return openai.OpenAI(
            base_url=base_url or self.endpoint + "/v1", http_client=self._http_client(False), **kwargs
        )

    def async_openai_client(self, base_url: str | None = None, **kwargs: Any) -> openai.AsyncOpenAI:
        import openai

        kwargs.setdefault("api_key", self.key)
        kwargs.setdefault("max_retries", 0)
        return openai.AsyncOpenAI(
            base_url=base_url or self.endpoint + "/v1", http_client=self._http_client(True), **kwargs
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

    @overload
    def http_client(
        self, asynchronous: Literal[False] = False, module: ModuleType | None = None
    ) -> HTTPClient: ...
    @overload
    def http_client(
        self, asynchronous: Literal[True], module: ModuleType | None = None
    ) -> AsyncHTTPClient: ...
    def http_client(
        self, asynchronous: bool = False, module: ModuleType | None = None
    ) -> HTTPClient | AsyncHTTPClient:
        raise NotImplementedError

    def add_scripts(self, rules: list[dict[str, Any]]) -> list[str]:
        """Add rules in the JSON form `POST /_emulator/scripts` takes; all of them or, if one is bad, none."""
        with self.http_client() as http:
            response = http.post(SCRIPTS_PATH, json={"rules": rules}, headers={"api-key": self.key})
        if response.status_code != 201:
            error = response.json()["error"]
            raise ScriptError(error["message"], error.get("param") or "rules")
        return list(response.json()["ids"])

    def clear_scripts(self) -> int:
        with self.http_client() as http:
            return int(http.delete(SCRIPTS_PATH, headers={"api-key": self.key}).json()["deleted"])

    def evaluate(self, testing_criteria: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
        """The portal's Evaluate action (`POST /_emulator/evaluate`): stored completions chosen by
        `metadata`, `model`, `created_after`, `created_before`, `ids`, `limit` become a data file, an eval
        and a run (of the stored answers, or `generate_with="<deployment>"`'s). Returns {file, eval, run}."""
        body = {"testing_criteria": testing_criteria, **options}
        return self._extension(EVALUATE_PATH, body, EvaluationRefused)

    def distill(self, model: str, **options: Any) -> dict[str, Any]:
        """The portal's Distill action (`POST /_emulator/distill`): stored completions chosen by
        `metadata`, `stored_model`, `created_after`, `created_before`, `ids`, `limit` (at least 10) become
        a closed training file and a fine-tuning job of `model` (with `hyperparameters`, `suffix`, `seed`,
        `validation_split`, `flavour="azure"|"openai"`). Returns {completions, training_file,
        validation_file, job}; a refusal raises DistillationRefused."""
        return self._extension(DISTILL_PATH, {"model": model, **options}, DistillationRefused)

    def create_deployment(self, name: str, model: str, **options: Any) -> dict[str, Any]:
        """Deploy `model` (a base model, or a fine-tuned model whose job succeeded) as `name`, ready at
        once (`POST /_emulator/deployments`; `version=`, `settings=`). A refusal raises DeploymentRefused."""
        body = {"name": name, "model": model, **options}
        return self._extension(DEPLOYMENTS_PATH, body, DeploymentRefused)

    def delete_deployment(self, name: str) -> None:
        with self.http_client() as http:
            response = http.delete(f"{DEPLOYMENTS_PATH}/{name}", headers={"api-key": self.key})
        if response.status_code != 200:
            error = response.json()["error"]
            raise DeploymentRefused(error["message"], error.get("param"))

    def _extension(self, path: str, body: dict[str, Any], refused: type[ExtensionRefused]) -> dict[str, Any]:
        with self.http_client() as http:
            response = http.post(path, json=body, headers={"api-key": self.key})
        if response.status_code != 201:
            error = response.json()["error"]
            raise refused(error["message"], error.get("param"))
        return dict(response.json())


class InProcessEmulator(_Clients):
    """The app in this process: SDK clients reach it through an in-memory transport, and each request runs
    on the thread that makes it (emulator/driver.py). Start-up and shut-down run on a portal's thread."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        portal: anyio.from_thread.BlockingPortal | None = None,
        **overrides: Any,
    ) -> None:
        """`portal`: an event-loop thread to share (the pytest plugin keeps one per session, so a fresh
        emulator costs only its app and database); without it the emulator starts and owns one.

        Without `settings`, any non-empty key or token is served, as mocks do, so that clients the code
        under test built with a placeholder key work; `check_api_keys=True` checks keys as the server
        does (for tests of 401 handling)."""
        if settings is None:
            settings = Settings(check_api_keys=False)
        self.settings = settings.replace(**overrides) if overrides else settings
        self.key = self.settings.api_keys[0]
        self.endpoint = AZURE_ENDPOINT
        # Called with (method, url, status, headers, body) after every in-process response.
        self.observers: list[Callable[[str, str, int, list[tuple[bytes, bytes]], bytes], None]] = []
        self.app = create_app(self.settings)
        self._portal_cm = None if portal else anyio.from_thread.start_blocking_portal()
        self.portal = portal or self._portal_cm.__enter__()  # type: ignore[union-attr]
        self._lifespan = self.app.router.lifespan_context(self.app)
        try:
            self.portal.call(self._lifespan.__aenter__)
            self._fallback_loop = portal_loop(self.portal)
        except BaseException:
            if self._portal_cm:
                self._portal_cm.__exit__(None, None, None)
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
            if self._portal_cm:
                self._portal_cm.__exit__(None, None, None)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine of the emulator's to its end, as in-process requests run (emulator/driver.py)."""
        return run_here(coroutine, self._fallback_loop)

    def call(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run a coroutine function of the emulator's and return its result."""
        return self.run(fn(*args))

    def reset(self, **overrides: Any) -> None:
        self.run(self.runtime.reset(**overrides))

    def seed_stored_completions(self, source: SeedSource) -> list[str]:
        """Store the completions of a JSON file (see fixtures/) or a list, with their own ids and times."""
        headers = [(b"api-key", self.key.encode()), (b"content-type", b"application/json")]
        body = json.dumps(seed_body(source)).encode()
        status, _, content = self.run(self.asgi("POST", self.endpoint + SEED_PATH, headers, body))
        return seeded_ids(status, content)

    def advance(self, seconds: float) -> float:
        return float(self.runtime.clock.advance(seconds))

    def now(self) -> float:
        return float(self.runtime.clock.now())

    def settle_jobs(self) -> float:
        """Advance the clock until every fine-tuning job that can finish has; returns the new time."""
        return float(self.run(self.runtime.settle_jobs()))

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

    def _http_client(self, asynchronous: bool) -> Any:
        hx = sdk_http_module()
        transport = async_transport(self, hx) if asynchronous else sync_transport(self, hx)
        return (hx.AsyncClient if asynchronous else hx.Client)(transport=transport, base_url=self.endpoint)

    @overload
    def http_client(
        self, asynchronous: Literal[False] = False, module: ModuleType | None = None
    ) -> HTTPClient: ...
    @overload
    def http_client(
        self, asynchronous: Literal[True], module: ModuleType | None = None
    ) -> AsyncHTTPClient: ...
    def http_client(
        self, asynchronous: bool = False, module: ModuleType | None = None
    ) -> HTTPClient | AsyncHTTPClient:
        """A plain httpx/httpx2 client served in-process, for raw HTTP tests."""
        hx = module or sdk_http_module()
        transport = async_transport(self, hx) if asynchronous else sync_transport(self, hx)
        client: HTTPClient | AsyncHTTPClient = (hx.AsyncClient if asynchronous else hx.Client)(
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
    """`aoai-emulator serve --in-memory` on a free loopback port, in a process of its own."""

    def __init__(
        self,
        *,
        clock_start: float | None = DEFAULT_CLOCK_START,
        key: str = DEFAULT_API_KEY,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 20.0,
    ) -> None:
        self.key = key
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
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
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._wait_healthy(startup_timeout)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"aoai-emulator serve exited with {self.process.returncode}:\n{output}")
            try:
                with urllib.request.urlopen(self.endpoint + "/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.close()
        raise RuntimeError(f"aoai-emulator serve did not answer /health within {timeout} s")

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.endpoint + path,
            data=data,
            method=method,
            headers={"api-key": self.key, "content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def reset(self, **overrides: Any) -> None:
        self.control("POST", "/_emulator/reset", overrides)

    def seed_stored_completions(self, source: SeedSource) -> list[str]:
        """Store the completions of a JSON file (see fixtures/) or a list, with their own ids and times."""
        try:
            return list(self.control("POST", SEED_PATH, seed_body(source))["ids"])
        except urllib.error.HTTPError as error:
            raise SeedingFailed(error.code, error.read()) from None

    def advance(self, seconds: float) -> float:
        return float(self.control("POST", "/_emulator/clock/advance", {"seconds": seconds})["now"])

    def now(self) -> float:
        return float(self.control("GET", "/_emulator/clock")["now"])

    def settle_jobs(self) -> float:
        """Advance the clock until every fine-tuning job that can finish has; returns the new time."""
        return float(self.control("POST", "/_emulator/jobs/settle", {})["now"])

    def _http_client(self, asynchronous: bool) -> Any:
        hx = sdk_http_module()
        return hx.AsyncClient() if asynchronous else hx.Client()

    @overload
    def http_client(
        self, asynchronous: Literal[False] = False, module: ModuleType | None = None
    ) -> HTTPClient: ...
    @overload
    def http_client(
        self, asynchronous: Literal[True], module: ModuleType | None = None
    ) -> AsyncHTTPClient: ...
    def http_client(
        self, asynchronous: bool = False, module: ModuleType | None = None
    ) -> HTTPClient | AsyncHTTPClient:
        hx = module or sdk_http_module()
        client: HTTPClient | AsyncHTTPClient = (hx.AsyncClient if asynchronous else hx.Client)(
            base_url=self.endpoint
        )
        return client

    def __enter__(self) -> LiveEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process.stdout:
            self.process.stdout.close()


@contextlib.contextmanager
def in_process(**overrides: Any) -> Iterator[InProcessEmulator]:
    emulator = InProcessEmulator(**overrides)
    try:
        yield emulator
    finally:
        emulator.close()

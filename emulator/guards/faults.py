"""Injected faults, as a chaos API injects them: rules that match requests and break their answers.

A rule matches by surface, route (the operation's path template, `/chat/completions`), deployment,
model and method, and fires for the next `count` matches or, with `probability`, when a generator seeded
by the rule draws under it, so a run repeats. The first rule that matches and fires applies its fault:

- `status`: the service's own answer for it (408, 429 without a quota cause, 500, 502, 503 with
  `Retry-After`; any other 4xx or 5xx in the surface's envelope), or `content_filter`, Azure's refusal of a
  filtered prompt;
- `reset`: the connection drops before any answer;
- `cut_after_chunks`: the body stops after N chunks (server-sent events of a stream; a whole body is one
  chunk) and the connection drops;
- `stall_seconds`: the answer waits. A served emulator waits in real time, and gives up if the client
  leaves; in-process the clock moves instead, and a client whose read timeout is shorter gets its
  library's timeout at once.

Rules live with the emulator's state until deleted or spent; a reset brings back those the settings
declare. Emulator-only
routes (`/_emulator/...`, `/health`) are never broken.
"""

from __future__ import annotations

import random
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from emulator.errors import ApiError
from emulator.guards import target
from emulator.http.drops import ClientTimedOut, ConnectionDropped
from emulator.model.safety import PromptFiltered
from emulator.surfaces import Family, Surface

if TYPE_CHECKING:
    from emulator.db.database import Database
    from emulator.http.routing import Call, Finish
    from emulator.runtime import Runtime

# Where an in-process request tells the emulator about its client (emulator/testing.py::asgi).
IN_PROCESS = "aoai_emulator"
MAX_RULES = 1000


@dataclass(frozen=True)
class Match:
    surface: str | None = None
    route: str | None = None
    deployment: str | None = None
    model: str | None = None
    method: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Fault:
    status: int | None = None
    content_filter: str | None = None  # a category: hate, sexual, violence, self_harm, jailbreak
    reset: bool = False
    cut_after_chunks: int | None = None
    stall_seconds: float | None = None
    retry_after_seconds: int | None = None

    def to_json(self) -> dict[str, Any]:
        found = {k: v for k, v in self.__dict__.items() if v is not None}
        if not self.reset:
            found.pop("reset")
        return found


@dataclass
class FaultRule:
    id: str
    match: Match
    fault: Fault
    count: int | None = None  # how many more matches it breaks; None: every one, or by probability
    probability: float | None = None
    seed: int = 0
    _draws: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._draws = random.Random(f"{self.seed}:{self.id}")

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.id, "object": "emulator.fault", "match": self.match.to_json()}
        found["fault"] = self.fault.to_json()
        found["count"] = self.count
        found["probability"] = self.probability
        found["seed"] = self.seed
        return found

    def fires(self) -> bool:
        """Called under the book's lock, once per matching request."""
        if self.probability is not None:
            return self._draws.random() < self.probability
        if self.count is not None:
            self.count -= 1
        return True

    @property
    def spent(self) -> bool:
        return self.count is not None and self.count <= 0


class FaultBook:
    """The rules in force, in the order they were added. Shared by requests on any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next = 0
        self.loading = threading.Lock()
        self.loaded = False

    def new_id(self) -> str:
        with self._lock:
            self._next += 1
            return f"fault-{self._next}"

    def add(self, rules: Iterable[FaultRule]) -> None:
        rules = list(rules)
        with self._lock:
            if len(self._rules) + len(rules) > MAX_RULES:
                raise ApiError(
                    f"At most {MAX_RULES} fault rules may be in force at once; delete some first "
                    "(DELETE /_emulator/faults).",
                    param="rules",
                    openai_code="too_many_rules",
                )
            self._rules.extend(rules)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> int:
        with self._lock:
            count, self._rules = len(self._rules), []
            return count

    def __bool__(self) -> bool:
        return bool(self._rules)

    def fire(self, matching: Callable[[FaultRule], bool]) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if matching(rule) and rule.fires():
                    if rule.spent:
                        self._rules.remove(rule)
                    return rule
        return None


# --- what each fault answers ------------------------------------------------------------------------

# status: (Azure's code, its message, OpenAI's type, OpenAI's code, OpenAI's message)
_ANSWERS: dict[int, tuple[str, str, str, str | None, str]] = {
    408: ("Timeout", "The operation was timeout.", "timeout", None, "Request timed out."),
    429: (
        "429",
        "The system is currently experiencing high demand and cannot process your request. Your request "
        "exceeds the maximum usage size allowed during peak load. Please retry after {retry} seconds.",
        "requests",
        "rate_limit_exceeded",
        "The engine is currently overloaded, please try again later.",
    ),
    500: (
        "InternalServerError",
        "The server had an error processing your request. Sorry about that! You can retry your request.",
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    502: ("BadGateway", "Bad gateway.", "cf_bad_gateway", None, "Bad gateway."),
    503: (
        "ServiceUnavailable",
        "The service is temporarily unable to process your request. Please try again later.",
        "server_error",
        None,
        "The engine is currently overloaded, please try again later.",
    ),
}


class InjectedStatus(ApiError):
    """An injected status, in the body the service sends with it."""

    def __init__(self, status: int, retry_after: int | None) -> None:
        known = _ANSWERS.get(status)
        retry = retry_after if retry_after is not None else (1 if status in (429, 503) else None)
        if known is None:
            azure_code, azure_message = (
                str(status),
                f"The request failed with status {status} (an injected fault).",
            )
            openai_type, code, message = (
                ("server_error" if status >= 500 else "invalid_request_error"),
                None,
                azure_message,
            )
        else:
            azure_code, azure_message, openai_type, code, message = known
        headers = (
            {"retry-after": str(retry), "retry-after-ms": str(retry * 1000)} if retry is not None else {}
        )
        super().__init__(message, status=status, headers=headers)
        self.openai_type, self.openai_code = openai_type, code
        self.azure_code = azure_code
        self.azure_message = azure_message.format(retry=retry)

    def body(self, surface: Surface, family: Family) -> dict[str, Any]:
        if surface is Surface.OPENAI:
            return self.openai_body()
        return {"error": {"code": self.azure_code, "message": self.azure_message}}


class _Dropped(Response):
    """A response that starts and then hangs up: what a cut after zero chunks of a whole body looks like."""

    def __init__(self, inner: Response) -> None:
        self.inner = inner
        self.status_code = inner.status_code
        self.raw_headers = [(k, v) for k, v in inner.raw_headers if k != b"content-length"]
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        raise ConnectionDropped("the connection dropped after the response's headers (an injected fault)")


def cut_after(chunks: int) -> Finish:
    def finish(response: Response) -> Response:
        if isinstance(response, StreamingResponse):
            response.body_iterator = _cut(response.body_iterator, chunks)
            return response
        return response if chunks >= 1 else _Dropped(response)

    return finish


async def _cut(body: AsyncIterable[Any], chunks: int) -> AsyncIterator[Any]:
    sent = 0
    async for chunk in body:
        if sent >= chunks:
            raise ConnectionDropped(f"the stream was cut after {chunks} chunks (an injected fault)")
        yield chunk
        sent += 1


async def stall(call: Call, seconds: float) -> None:
    """Hold the answer `seconds`: in real time on a served emulator (the client may leave first), on the
    clock in-process."""
    client = call.request.scope.get("extensions", {}).get(IN_PROCESS)
    clock = call.runtime.clock
    if client is not None:
        timeout = client.get("read_timeout")
        if timeout is not None and seconds >= timeout:
            clock.advance(timeout)
            raise ClientTimedOut(
                f"the client's read timeout ({timeout} s) passed during a stall of {seconds} s"
            )
        clock.advance(seconds)
        return
    await call.body()  # read first: what is left to hear from the client is its leaving
    with anyio.move_on_after(seconds):
        while (await call.request.receive())["type"] != "http.disconnect":
            pass
        raise ConnectionDropped("the client left during a stall (an injected fault)")


# --- the guard --------------------------------------------------------------------------------------


Declared = Callable[[Iterable[Mapping[str, Any]], Callable[[], str]], list[FaultRule]]


def _fresh_book(db: Database) -> FaultBook:
    return FaultBook()


def faults_of(runtime: Runtime, declared: Declared) -> FaultBook:
    """The rules of this emulator: kept with its state, so a reset starts again from those its settings
    declare (`declared` reads them)."""
    book = runtime.store(_fresh_book)
    with book.loading:
        if not book.loaded:
            book.add(declared(runtime.settings.faults, book.new_id))
            book.loaded = True
    return book


class Faults:
    """The guard: the first rule that matches and fires breaks the request."""

    def __init__(self, declared: Declared) -> None:
        self._declared = declared

    def applies(self, call: Call) -> bool:
        if call.operation.extension or call.operation.public:
            return False
        return bool(faults_of(call.runtime, self._declared))

    async def __call__(self, call: Call) -> Finish | None:
        book = faults_of(call.runtime, self._declared)
        surface = call.surface.value if call.surface else None
        # What a rule may ask about the deployment, worked out only if one asks.
        needs_deployment = any(r.match.deployment or r.match.model for r in book.rules())
        deployment = await target.deployment(call) if needs_deployment else None
        body = await target.body_json(call) if needs_deployment and deployment is None else None
        sent_model = body.get("model") if body else None

        def matching(rule: FaultRule) -> bool:
            m = rule.match
            if m.surface is not None and m.surface != surface:
                return False
            if m.method is not None and m.method.upper() != call.operation.method:
                return False
            if m.route is not None and not target.route_matches(call, m.route):
                return False
            if m.deployment is not None and (deployment is None or deployment.name != m.deployment):
                return False
            if m.model is not None:
                models = {deployment.model, deployment.model_name} if deployment else {sent_model}
                if m.model not in models:
                    return False
            return True

        rule = book.fire(matching)
        if rule is None:
            return None
        fault = rule.fault
        if fault.stall_seconds is not None:
            await stall(call, fault.stall_seconds)
        if fault.reset:
            raise ConnectionDropped(f"the connection was reset (injected fault {rule.id})")
        if fault.content_filter is not None:
            raise PromptFiltered(fault.content_filter)
        if fault.status is not None:
            raise InjectedStatus(fault.status, fault.retry_after_seconds)
        if fault.cut_after_chunks is not None:
            return cut_after(fault.cut_after_chunks)
        return None

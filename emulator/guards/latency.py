"""Simulated latency: time to first token, then tokens per second, per deployment, drawn from seeded
distributions so that runs repeat.

    {"ttft_ms": 400, "ttft_ms_spread": 100, "tokens_per_second": 60, "tokens_per_second_spread": 10, "seed": 0}

Each request draws its time to first token and its speed uniformly within mean ± spread, from a
generator per deployment seeded by `seed`. A stream waits the time to first token before its first chunk
and one token's time before each chunk after it; a whole answer waits the time to first token plus its
completion tokens at that speed. A deployment's `settings.latency` applies to it; the emulator's
`latency` setting to every other deployment. Off when neither is set.

A served emulator waits in real time. In-process, with a simulated clock, the clock moves by the same
time instead and nothing waits; with the wall clock, it waits.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from emulator.clock import ManualClock
from emulator.errors import ApiError
from emulator.guards import target
from emulator.guards.faults import IN_PROCESS

if TYPE_CHECKING:
    from emulator.db.database import Database
    from emulator.http.routing import Call, Finish
    from emulator.runtime import Runtime

MAX_TTFT_MS = 600_000.0
MAX_TOKENS_PER_SECOND = 1_000_000.0


class LatencyError(ValueError):
    pass


@dataclass(frozen=True)
class Latency:
    ttft_ms: float = 0.0
    ttft_ms_spread: float = 0.0
    tokens_per_second: float | None = None  # None: the answer comes whole at once
    tokens_per_second_spread: float = 0.0
    seed: int = 0


def _number(
    spec: Mapping[str, Any], name: str, low: float, high: float, default: float | None
) -> float | None:
    value = spec.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise LatencyError(f"'latency.{name}' must be a number from {low:g} to {high:g}")
    return float(value)


def parse_latency(spec: Any) -> Latency:
    """A latency object as settings, the deployments file and `serve --latency` give it."""
    if not isinstance(spec, Mapping):
        raise LatencyError('\'latency\' must be an object such as {"ttft_ms": 400, "tokens_per_second": 60}')
    unknown = sorted(set(spec) - set(Latency.__dataclass_fields__))
    if unknown:
        raise LatencyError(f"unknown latency field '{unknown[0]}'")
    seed = spec.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise LatencyError("'latency.seed' must be a whole number from 0")
    return Latency(
        _number(spec, "ttft_ms", 0, MAX_TTFT_MS, 0.0) or 0.0,
        _number(spec, "ttft_ms_spread", 0, MAX_TTFT_MS, 0.0) or 0.0,
        _number(spec, "tokens_per_second", 0.001, MAX_TOKENS_PER_SECOND, None),
        _number(spec, "tokens_per_second_spread", 0, MAX_TOKENS_PER_SECOND, 0.0) or 0.0,
        seed,
    )


@dataclass(frozen=True)
class Draw:
    first_token: float  # seconds
    per_token: float  # seconds


class _Draws:
    """A seeded generator per deployment, drawn in the order requests arrive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generators: dict[str, random.Random] = {}

    def draw(self, deployment: str, latency: Latency) -> Draw:
        with self._lock:
            generator = self._generators.get(deployment)
            if generator is None:
                generator = self._generators[deployment] = random.Random(f"{latency.seed}:{deployment}")
            ttft = latency.ttft_ms + generator.uniform(-1, 1) * latency.ttft_ms_spread
            speed = latency.tokens_per_second
            if speed is not None:
                speed = max(0.001, speed + generator.uniform(-1, 1) * latency.tokens_per_second_spread)
        return Draw(max(0.0, ttft) / 1000, 0.0 if speed is None else 1 / speed)


async def wait(scope: Scope, runtime: Runtime, seconds: float) -> None:
    if seconds <= 0:
        return
    if IN_PROCESS in scope.get("extensions", {}) and isinstance(runtime.clock, ManualClock):
        runtime.clock.advance(seconds)
        await anyio.sleep(0)
        return
    await anyio.sleep(seconds)


def _completion_tokens(body: bytes) -> int:
    try:
        usage = json.loads(body).get("usage") or {}
    except (ValueError, AttributeError):
        return 0
    found = usage.get("completion_tokens", usage.get("output_tokens", 0)) if isinstance(usage, dict) else 0
    return found if isinstance(found, int) else 0


class _Delayed(Response):
    """A whole answer, sent after the time its generation takes."""

    def __init__(self, inner: Response, runtime: Runtime, seconds: float) -> None:
        self.inner, self.runtime, self.seconds = inner, runtime, seconds
        self.status_code, self.raw_headers, self.background = inner.status_code, inner.raw_headers, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if IN_PROCESS in scope.get("extensions", {}):
            await wait(scope, self.runtime, self.seconds)
        else:
            # The body was read: what is left to hear from the client is its leaving, which ends the wait.
            with anyio.move_on_after(self.seconds):
                while (await receive())["type"] != "http.disconnect":
                    pass
                return
        await self.inner(scope, receive, send)


async def _paced(body: AsyncIterable[Any], pause: Any, draw: Draw) -> AsyncIterator[Any]:
    first = True
    async for chunk in body:
        await pause(draw.first_token if first else draw.per_token)
        first = False
        yield chunk


def _fresh_draws(db: Database) -> _Draws:
    return _Draws()


class SimulatedLatency:
    """The guard: paces inference answers of deployments that have a latency."""

    def applies(self, call: Call) -> bool:
        if call.operation.name not in target.INFERENCE:
            return False
        runtime = call.runtime
        return runtime.settings.latency is not None or any(
            "latency" in d.settings for d in runtime.deployments.all()
        )

    async def __call__(self, call: Call) -> Finish | None:
        runtime = call.runtime
        default = runtime.settings.latency
        deployment = await target.deployment(call)
        if deployment is None:
            return None
        spec = deployment.settings.get("latency", default)
        if spec is None:
            return None
        try:
            latency = parse_latency(spec)
        except LatencyError as error:
            raise ApiError(
                f"The deployment '{deployment.name}' has a latency setting the emulator cannot use: {error}.",
                param="settings.latency",
                openai_code="invalid_latency",
            ) from None
        # The generators are kept with the emulator's state: a reset draws afresh.
        draw = runtime.store(_fresh_draws).draw(deployment.name, latency)
        scope = call.request.scope

        async def pause(seconds: float) -> None:
            await wait(scope, runtime, seconds)

        def finish(response: Response) -> Response:
            if isinstance(response, StreamingResponse):
                response.body_iterator = _paced(response.body_iterator, pause, draw)
                return response
            tokens = _completion_tokens(bytes(response.body))
            return _Delayed(response, runtime, draw.first_token + tokens * draw.per_token)

        return finish

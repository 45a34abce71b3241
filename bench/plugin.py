"""The pytest plugin: what a test pays for a fresh `aoai_emulator`, and in-process SDK calls per second.

Set-up is timed as the fixture does it: a fresh app and in-memory database on the session's event-loop
thread, interception of httpx2 and httpx started; tear-down is shown beside it. Calls are
`chat.completions.create` through the fixture's ready clients: one after another for the sync client,
CONCURRENCY at a time for the async one.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from typing import Any

import anyio.from_thread

from bench.options import Options
from bench.report import Figure
from emulator.testing.harness import EmulatorFixture
from emulator.testing.intercept import Interception

SETUP_BAR_MS = 5.0
SYNC_BAR = 400
ASYNC_BAR = 800
CONCURRENCY = 16
MESSAGES = [{"role": "user", "content": "Hello!"}]


def fixture_costs(
    portal: anyio.from_thread.BlockingPortal, rounds: int
) -> tuple[list[float], list[float], list[float]]:
    """Per round: set-up wall time, set-up process CPU time, tear-down wall time."""
    setups, cpus, teardowns = [], [], []
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        emulator = EmulatorFixture(portal=portal)
        interception = Interception(emulator).start()
        ready = time.perf_counter()
        cpus.append(time.process_time() - cpu)
        interception.stop()
        emulator.close()
        setups.append(ready - started)
        teardowns.append(time.perf_counter() - ready)
    return setups, cpus, teardowns


@dataclass(frozen=True)
class Rate:
    per_second: float
    per_cpu_second: (
        float  # calls per second of the process's CPU: what other work on the machine hardly moves
    )

    def note(self) -> str:
        return f"by process cpu: {self.per_cpu_second:,.0f} calls/s"


def sync_rate(emulator: EmulatorFixture, seconds: float) -> Rate:
    client = emulator.openai_client()
    calls, started, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - started) < seconds:
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        calls += 1
    return Rate(calls / elapsed, calls / (time.process_time() - cpu))


def async_rate(emulator: EmulatorFixture, seconds: float) -> Rate:
    async def measure() -> Rate:
        client = emulator.async_openai_client()
        calls, started, cpu = 0, time.perf_counter(), time.process_time()

        async def worker() -> None:
            nonlocal calls
            while time.perf_counter() - started < seconds:
                await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
                calls += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return Rate(calls / (time.perf_counter() - started), calls / (time.process_time() - cpu))

    return asyncio.run(measure())


def _ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def run(options: Options) -> list[Figure]:
    seconds = max(1.0, 5 * options.time_scale)
    with anyio.from_thread.start_blocking_portal() as portal:
        fixture_costs(portal, 20)  # warm: imports, first connections
        setups, cpus, teardowns = fixture_costs(portal, max(50, round(300 * options.time_scale)))
        emulator = EmulatorFixture(portal=portal)
        try:
            sync_rate(emulator, 0.5)  # warm
            sync = sync_rate(emulator, seconds)
            concurrent = async_rate(emulator, seconds)
        finally:
            emulator.close()
    setup = _ms(setups)
    notes: dict[str, Any] = {
        "p90": f"{sorted(setups)[int(len(setups) * 0.9)] * 1000:.2f} ms",
        "process cpu": f"{_ms(cpus):.2f} ms",
        "tear-down": f"{_ms(teardowns):.2f} ms",
        "rounds": len(setups),
    }
    return [
        Figure(
            "plugin: aoai_emulator set-up per test",
            f"{setup:.2f} ms",
            f"<= {SETUP_BAR_MS:g} ms",
            setup <= SETUP_BAR_MS,
            ", ".join(f"{k} {v}" for k, v in notes.items()),
        ),
        Figure(
            "plugin: in-process SDK calls, sync",
            f"{sync.per_second:,.0f} calls/s",
            f">= {SYNC_BAR}",
            sync.per_second >= SYNC_BAR,
            f"OpenAI client, chat.completions.create; {sync.note()}",
        ),
        Figure(
            "plugin: in-process SDK calls, async",
            f"{concurrent.per_second:,.0f} calls/s",
            f">= {ASYNC_BAR}",
            concurrent.per_second >= ASYNC_BAR,
            f"AsyncOpenAI client, {CONCURRENCY} concurrent; {concurrent.note()}",
        ),
    ]

"""Create: the emulator's `chat.completions.create(store=True)` throughput against the stack's limit."""

from __future__ import annotations

import os
import tempfile

from bench import servers, wrk
from bench.options import Options
from bench.report import Figure
from bench.workload import CREATE_BODY, CREATE_PATH, HEADERS

CONNECTIONS = 32
SECONDS = 10.0
BAR = 0.5


def run(options: Options) -> list[Figure]:
    seconds = options.seconds(SECONDS)
    with tempfile.TemporaryDirectory(prefix="aoai-bench-") as folder:
        with servers.emulator(os.path.join(folder, "emulator.sqlite3")) as base:
            load = wrk.Load(base + CREATE_PATH, "POST", CREATE_BODY, HEADERS)
            ours = wrk.measure(load, seconds=seconds, connections=CONNECTIONS)
        with servers.bare(os.path.join(folder, "bare.sqlite3")) as base:
            load = wrk.Load(base + "/insert", "POST", CREATE_BODY, HEADERS)
            limit = wrk.measure(load, seconds=seconds, connections=CONNECTIONS)
    ratio = ours.rps / limit.rps if limit.rps else 0.0
    return [
        Figure("create store=True: emulator", f"{ours.rps:,.0f} req/s", notes=ours.summary()),
        Figure("create: bare Starlette + aiosqlite insert", f"{limit.rps:,.0f} req/s", notes=limit.summary()),
        Figure("create: emulator / bare", f"{ratio:.2f}", f">= {BAR}", ratio >= BAR and ours.failed == 0),
    ]

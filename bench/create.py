"""Create: the emulator's `chat.completions.create(store=True)` throughput against the stack's limit.

Both servers run side by side, each on a SQLite file of its own, and wrk takes turns between them.
"""

from __future__ import annotations

import os
import tempfile

from bench import servers, wrk
from bench.options import Options
from bench.report import Figure, against_limit
from bench.workload import CREATE_BODY, CREATE_PATH, HEADERS

CONNECTIONS = 32
SECONDS = 10
BAR = 0.5


def run(options: Options) -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="aoai-bench-") as folder,
        servers.emulator(os.path.join(folder, "emulator.sqlite3")) as emulator,
        servers.bare(os.path.join(folder, "bare.sqlite3")) as bare,
    ):
        ours, limit = wrk.compare(
            [
                wrk.Load(emulator.url + CREATE_PATH, "POST", CREATE_BODY, HEADERS, emulator.loop_cpu_seconds),
                wrk.Load(bare.url + "/insert", "POST", CREATE_BODY, HEADERS, bare.loop_cpu_seconds),
            ],
            seconds=options.seconds(SECONDS),
            connections=CONNECTIONS,
        )
    return against_limit("create store=True", ours, limit, "bare Starlette + aiosqlite insert", BAR)

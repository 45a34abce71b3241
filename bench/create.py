"""Create: the emulator's `chat.completions.create(store=True)` throughput against the stack's limit.

Both servers run side by side, each on a SQLite file of its own, and wrk takes turns between them.
"""

from __future__ import annotations

import os
import tempfile

from bench import servers, wrk
from bench.options import Options
from bench.report import Figure
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
                wrk.Load(emulator + CREATE_PATH, "POST", CREATE_BODY, HEADERS),
                wrk.Load(bare + "/insert", "POST", CREATE_BODY, HEADERS),
            ],
            seconds=options.seconds(SECONDS),
            connections=CONNECTIONS,
        )
    ratio = ours.rps / limit.rps if limit.rps else 0.0
    return [
        Figure("create store=True: emulator", f"{ours.rps:,.0f} req/s", notes=ours.summary()),
        Figure("create: bare Starlette + aiosqlite insert", f"{limit.rps:,.0f} req/s", notes=limit.summary()),
        Figure("create: emulator / bare", f"{ratio:.2f}", f">= {BAR}", ratio >= BAR and ours.failed == 0),
    ]

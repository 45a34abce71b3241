"""Rate limit: create throughput with a rate limit configured, next to the same emulator without one.

The limit (`serve --default-capacity`) is set high enough that no request is refused, so the figure is
what charging every request to its deployment's windows costs. The `create` section's ratio is the
emulator with nothing configured: the guards must leave it where it was.
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
# A million capacity units: 6 million requests a minute, far above what one process serves.
CAPACITY = "1000000"


def run(options: Options) -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="aoai-bench-") as folder,
        servers.emulator(os.path.join(folder, "limited.sqlite3"), "--default-capacity", CAPACITY) as limited,
        servers.emulator(os.path.join(folder, "open.sqlite3")) as unlimited,
    ):
        with_limit, without = wrk.compare(
            [
                wrk.Load(limited.url + CREATE_PATH, "POST", CREATE_BODY, HEADERS, limited.loop_cpu_seconds),
                wrk.Load(
                    unlimited.url + CREATE_PATH, "POST", CREATE_BODY, HEADERS, unlimited.loop_cpu_seconds
                ),
            ],
            seconds=options.seconds(SECONDS),
            connections=CONNECTIONS,
        )
    ratio = with_limit.rps / without.rps if without.rps else 0.0
    return [
        Figure(
            "create with a rate limit configured", f"{with_limit.rps:,.0f} req/s", notes=with_limit.summary()
        ),
        Figure("create with no limit configured", f"{without.rps:,.0f} req/s", notes=without.summary()),
        Figure(
            "create: rate-limited / unlimited",
            f"{ratio:.2f}",
            notes=f"capacity {CAPACITY}: every request charged, none refused; {with_limit.failed} failed",
        ),
    ]

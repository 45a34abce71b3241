"""Create response: the emulator's `responses.create(store=True)` throughput against the stack's limit,
measured as chat's create is (bench/create.py), with seed 001's request as a Responses input."""

from __future__ import annotations

import json
import os
import tempfile

from bench import servers, wrk
from bench.create import BAR, CONNECTIONS, SECONDS
from bench.options import Options
from bench.report import Figure, against_limit
from bench.workload import CREATE_BODY, HEADERS

RESPONSES_PATH = "/openai/responses?api-version=2025-03-01-preview"
_CHAT = json.loads(CREATE_BODY)
RESPONSE_BODY = json.dumps(
    {
        "model": "gpt-4o",
        "store": True,
        "metadata": _CHAT["metadata"],
        "instructions": _CHAT["messages"][0]["content"],
        "input": _CHAT["messages"][1]["content"],
    }
).encode()


def run(options: Options) -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="aoai-bench-") as folder,
        servers.emulator(os.path.join(folder, "emulator.sqlite3")) as emulator,
        servers.bare(os.path.join(folder, "bare.sqlite3")) as bare,
    ):
        ours, limit = wrk.compare(
            [
                wrk.Load(
                    emulator.url + RESPONSES_PATH, "POST", RESPONSE_BODY, HEADERS, emulator.loop_cpu_seconds
                ),
                wrk.Load(bare.url + "/insert", "POST", RESPONSE_BODY, HEADERS, bare.loop_cpu_seconds),
            ],
            seconds=options.seconds(SECONDS),
            connections=CONNECTIONS,
        )
    return against_limit("create response store=True", ours, limit, "bare Starlette + aiosqlite insert", BAR)

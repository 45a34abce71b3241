"""Filtered list: the 20 newest of N stored completions with one metadata filter.

Both sides are measured over HTTP under the same uvicorn settings, on the same database file: the
emulator's Azure list route (as AzureOpenAI calls it, so the response carries `total`) against
bench/bare.py's /list, which runs the same indexed page query and match count and nothing else.
Scale compares the emulator's latency on one connection at SMALL and at LARGE stored completions.
"""

from __future__ import annotations

import os
import tempfile
from urllib.parse import urlencode

from bench import fill, servers, wrk
from bench.options import Options
from bench.report import Figure
from bench.workload import FILTER_KEY, FILTER_VALUE, HEADERS, list_path

SMALL, LARGE = 10_000, 100_000
CONNECTIONS = 32
THROUGHPUT_SECONDS = 5.0
LATENCY_SECONDS = 4.0
RATIO_BAR = 0.5
SCALE_BAR = 1.5


def _latency(base: str, options: Options) -> wrk.WrkResult:
    load = wrk.Load(base + list_path(), headers=HEADERS)
    return wrk.measure(load, seconds=options.seconds(LATENCY_SECONDS), connections=1)


def run(options: Options) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="aoai-bench-") as folder:
        db = os.path.join(folder, "stored.sqlite3")
        fill.grow(db, SMALL)
        with servers.emulator(db) as base:
            small = _latency(base, options)
        fill.grow(db, LARGE)
        with servers.emulator(db) as base:
            large = _latency(base, options)
            load = wrk.Load(base + list_path(), headers=HEADERS)
            ours = wrk.measure(load, seconds=options.seconds(THROUGHPUT_SECONDS), connections=CONNECTIONS)
        with servers.bare(db) as base:
            query = urlencode({"key": FILTER_KEY, "value": FILTER_VALUE})
            load = wrk.Load(f"{base}/list?{query}")
            limit = wrk.measure(load, seconds=options.seconds(THROUGHPUT_SECONDS), connections=CONNECTIONS)
    ratio = ours.rps / limit.rps if limit.rps else 0.0
    growth = large.latency_mean_ms / small.latency_mean_ms if small.latency_mean_ms else 0.0
    return [
        Figure(f"filtered list @{LARGE:,}: emulator", f"{ours.rps:,.0f} req/s", notes=ours.summary()),
        Figure(
            f"filtered list @{LARGE:,}: bare indexed query", f"{limit.rps:,.0f} req/s", notes=limit.summary()
        ),
        Figure(
            "filtered list: emulator / bare",
            f"{ratio:.2f}",
            f">= {RATIO_BAR}",
            ratio >= RATIO_BAR and ours.failed == 0,
        ),
        Figure(f"list latency @{SMALL:,} (1 conn)", f"{small.latency_mean_ms:.2f} ms", notes=small.summary()),
        Figure(f"list latency @{LARGE:,} (1 conn)", f"{large.latency_mean_ms:.2f} ms", notes=large.summary()),
        Figure(
            f"list latency @{LARGE:,} / @{SMALL:,}",
            f"{growth:.2f}x",
            f"<= {SCALE_BAR}x",
            0 < growth <= SCALE_BAR and small.failed == 0 and large.failed == 0,
        ),
    ]

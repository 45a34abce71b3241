"""Filtered list: the 20 newest of N stored completions with one metadata filter.

Both sides are measured over HTTP under the same uvicorn settings, on the same database file: the
emulator's Azure list route (as AzureOpenAI calls it, so the response also carries `total`) against
bench/bare.py's /list, which runs the indexed page query and nothing else.

Scale compares the emulator's median latency on one connection with SMALL and with LARGE stored
completions (two files, two servers, measured in turns); the same page on the OpenAI surface, which
has no `total`, shows what the page alone costs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from urllib.parse import urlencode

from bench import fill, servers, wrk
from bench.options import Options
from bench.report import Figure, against_limit
from bench.workload import FILTER_KEY, FILTER_VALUE, HEADERS, OPENAI_HEADERS, list_path, openai_list_path

SMALL, LARGE = 10_000, 100_000
CONNECTIONS = 32
THROUGHPUT_SECONDS = 4
LATENCY_SECONDS = 2
RATIO_BAR = 0.5
SCALE_BAR = 1.5


def run(options: Options) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="aoai-bench-") as folder:
        small_db, large_db = os.path.join(folder, "small.sqlite3"), os.path.join(folder, "large.sqlite3")
        fill.grow(small_db, SMALL)
        shutil.copyfile(small_db, large_db)
        fill.grow(large_db, LARGE)
        with (
            servers.emulator(small_db) as small,
            servers.emulator(large_db) as large,
            servers.bare(large_db) as bare,
        ):
            at_small, at_large, openai_small, openai_large = wrk.compare(
                [
                    wrk.Load(small.url + list_path(), headers=HEADERS),
                    wrk.Load(large.url + list_path(), headers=HEADERS),
                    wrk.Load(small.url + openai_list_path(), headers=OPENAI_HEADERS),
                    wrk.Load(large.url + openai_list_path(), headers=OPENAI_HEADERS),
                ],
                seconds=options.seconds(LATENCY_SECONDS),
                connections=1,
            )
            bare_query = urlencode({"key": FILTER_KEY, "value": FILTER_VALUE})
            ours, limit = wrk.compare(
                [
                    wrk.Load(large.url + list_path(), headers=HEADERS, cpu_seconds=large.loop_cpu_seconds),
                    wrk.Load(f"{bare.url}/list?{bare_query}", cpu_seconds=bare.loop_cpu_seconds),
                ],
                seconds=options.seconds(THROUGHPUT_SECONDS),
                connections=CONNECTIONS,
            )
    growth = _growth(at_small, at_large)
    return [
        *against_limit(f"filtered list @{LARGE:,}", ours, limit, "bare indexed query", RATIO_BAR),
        Figure(
            f"list latency @{SMALL:,} (1 conn, p50)",
            f"{at_small.latency_p50_ms:.2f} ms",
            notes=at_small.summary(),
        ),
        Figure(
            f"list latency @{LARGE:,} (1 conn, p50)",
            f"{at_large.latency_p50_ms:.2f} ms",
            notes=at_large.summary(),
        ),
        Figure(
            f"list latency @{LARGE:,} / @{SMALL:,}",
            f"{growth:.2f}x",
            f"<= {SCALE_BAR}x",
            0 < growth <= SCALE_BAR and not (at_small.failed or at_large.failed),
        ),
        Figure(
            "  the same on /v1 (no total)",
            f"{_growth(openai_small, openai_large):.2f}x",
            notes=f"p50 {openai_small.latency_p50_ms:.2f} ms -> {openai_large.latency_p50_ms:.2f} ms",
        ),
    ]


def _growth(small: wrk.WrkResult, large: wrk.WrkResult) -> float:
    """How much slower the median request is with LARGE stored completions than with SMALL."""
    return large.latency_p50_ms / small.latency_p50_ms if small.latency_p50_ms else 0.0

"""`make bench`: the figures the issues name, measured in one run, printed as one table.

Each section is a function `run(options) -> list[Figure]`; add a module and list it in SECTIONS.
Every figure is printed; the command exits 1 when any bar is missed (a FAIL row, or a section that could
not be measured) and 2 when wrk, which measures, is missing, so `make bench` fails as a test run does.
"""

from __future__ import annotations

import argparse
import os
import time
import traceback
from collections.abc import Callable, Sequence

from bench import create, listing, plugin, ratelimited, responses, structured, upload
from bench.options import Options
from bench.report import Figure, exit_status, table
from bench.wrk import WrkMissing, ensure_wrk

Section = Callable[[Options], list[Figure]]

SECTIONS: tuple[tuple[str, Section], ...] = (
    ("create", create.run),
    ("create response", responses.run),
    ("rate limit", ratelimited.run),
    ("filtered list", listing.run),
    ("structured outputs", structured.run),
    ("upload", upload.run),
    ("pytest plugin", plugin.run),
)


def machine(load_before: float) -> str:
    """The machine's own load around the run: figures taken while other work ran are not comparable."""
    return f"{os.cpu_count()} CPUs, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter measurements, for a smoke run")
    parser.add_argument("--only", action="append", choices=[name for name, _ in SECTIONS])
    args = parser.parse_args(argv)
    options = Options(time_scale=0.3 if args.quick else 1.0)
    try:
        ensure_wrk()
    except WrkMissing as exc:
        print(exc)
        return 2
    figures: list[Figure] = []
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    for name, section in SECTIONS:
        if args.only and name not in args.only:
            continue
        print(f"bench: {name} ...", flush=True)
        try:
            figures += section(options)
        except Exception as exc:  # one broken section must not hide the others' figures
            traceback.print_exc()
            figures.append(Figure(f"{name}: could not be measured", type(exc).__name__, "runs", False))
    print()
    print(table(figures))
    print(f"\n(measured in {time.monotonic() - started:.0f} s; {machine(load_before)})")
    status = exit_status(figures)
    if status:
        print("bench: FAIL: at least one bar was missed")
    return status


if __name__ == "__main__":
    raise SystemExit(main())

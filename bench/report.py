"""The figures a section measures, and the table `make bench` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.wrk import WrkResult

COLUMNS = ("figure", "measured", "bar", "result", "notes")


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    bar: str = ""  # empty: shown for context, not judged
    passed: bool | None = None
    notes: str = ""


def verdict(passed: bool | None) -> str:
    return "" if passed is None else ("PASS" if passed else "FAIL")


def exit_status(figures: Sequence[Figure]) -> int:
    """1 when any bar was missed (or a section could not be measured), so `make bench` fails; else 0."""
    return 1 if any(f.passed is False for f in figures) else 0


def table(figures: Sequence[Figure]) -> str:
    rows = [COLUMNS] + [(f.name, f.value, f.bar, verdict(f.passed), f.notes) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def against_limit(name: str, ours: WrkResult, limit: WrkResult, limit_name: str, bar: float) -> list[Figure]:
    """The emulator's throughput, the bare stack's, and their ratio judged against `bar`.

    The ratio's note gives the same comparison by event-loop CPU per request, which other work on the
    machine hardly moves: when the two disagree, the machine was busy."""
    ratio = ours.rps / limit.rps if limit.rps else 0.0
    ours_cpu, limit_cpu = ours.cpu_ms_per_request, limit.cpu_ms_per_request
    by_cpu = f"by loop cpu per request: {limit_cpu / ours_cpu:.2f}" if ours_cpu and limit_cpu else ""
    return [
        Figure(f"{name}: emulator", f"{ours.rps:,.0f} req/s", notes=ours.summary()),
        Figure(f"{name}: {limit_name}", f"{limit.rps:,.0f} req/s", notes=limit.summary()),
        Figure(
            f"{name}: emulator / bare", f"{ratio:.2f}", f">= {bar}", ratio >= bar and not ours.failed, by_cpu
        ),
    ]

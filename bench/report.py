"""The figures a section measures, and the table `make bench` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def table(figures: Sequence[Figure]) -> str:
    rows = [COLUMNS] + [(f.name, f.value, f.bar, verdict(f.passed), f.notes) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)

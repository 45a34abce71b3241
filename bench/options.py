"""How long to measure: the full run by default, a shorter one with --quick while iterating."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    time_scale: float = 1.0  # multiplies every measured duration

    def seconds(self, full: int) -> int:
        """Whole seconds, as wrk takes them, and at least one per round of two."""
        return max(2, round(full * self.time_scale))

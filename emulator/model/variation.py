"""How one answer differs from the same request's other answers.

`lead` is the request's hash (without its seed) plus the seed plus the choice's index: the first choice a
writer makes, `first(options)`, takes option `lead % len(options)`. So choices 0, 1 and 2 of a request
lead with different options, and so do seeds 11 and 12, whenever a writer offers three or more distinct
openings; every later choice is drawn from `rng`, seeded by the whole request and the index.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Variation:
    lead: int
    rng: random.Random

    def first(self, options: Sequence[T]) -> T:
        return options[self.lead % len(options)]

    def second(self, options: Sequence[T]) -> T:
        """A choice that moves with the seed and index too, but not in step with `first`."""
        return options[(self.lead // 7 + self.lead) % len(options)]

    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)


def stable(text: str) -> random.Random:
    """A generator fixed by a text: invented facts about a subject stay the same across seeds."""
    return random.Random(hashlib.blake2b(text.lower().encode(), digest_size=8).digest())

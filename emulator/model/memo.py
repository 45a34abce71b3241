"""A bounded memo for answers that are pure functions of what clients send again and again."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """Values by key, at most `size` of them: when full it starts again empty, which costs one more
    computation per key rather than bookkeeping on every hit. Safe across threads (dict operations are
    atomic; two threads may both compute a missing value, and either result is the same)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: dict[Hashable, V] = {}

    def get(self, key: Hashable, make: Callable[..., V], *args: Any, keep: bool = True) -> V:
        """The value for `key`, made by `make(*args)` if missing; `keep=False` makes it without keeping
        it. The arguments are passed rather than bound in a closure: most calls are hits, and a hit
        should cost a lookup, not an allocation."""
        try:
            return self._values[key]
        except KeyError:
            pass
        value = make(*args)
        if keep:
            if len(self._values) >= self._size:
                self._values.clear()
            self._values[key] = value
        return value

    def __iter__(self) -> Iterator[Hashable]:
        return iter(list(self._values))

"""A seeded identifier factory: the same sequence of requests yields the same ids."""

from __future__ import annotations

import random
import string
import threading

_ALNUM = string.ascii_letters + string.digits


class IdFactory:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def resume(self, reopenings: int) -> None:
        """Switch to a sequence of its own for the n-th reopening of a database file, whose rows
        already hold the ids the seed's first sequence gives."""
        with self._lock:
            self._random.seed(f"{self._seed}:{reopenings}")

    def _choose(self, alphabet: str, length: int) -> str:
        with self._lock:
            return "".join(self._random.choice(alphabet) for _ in range(length))

    def alnum(self, length: int) -> str:
        return self._choose(_ALNUM, length)

    def hex(self, length: int) -> str:
        return self._choose("0123456789abcdef", length)

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def chat_completion(self) -> str:
        return "chatcmpl-" + self.alnum(29)

    def prefixed_hex(self, prefix: str, length: int = 32) -> str:
        return prefix + self.hex(length)

"""A seeded identifier factory: the same sequence of requests yields the same ids."""

from __future__ import annotations

import random
import string
import threading

_ALNUM = string.ascii_letters + string.digits
# One random byte per character, mapped onto the alphabet: a single draw per id rather than a draw
# per character (ids are minted on every request). 256 is not a multiple of 62, so the first 8
# characters come up 5 times in 256 rather than 4: uneven, which no id needs to avoid.
_ALNUM_OF_BYTE = bytes((_ALNUM * 5)[:256], "ascii")


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

    def _bytes(self, count: int) -> bytes:
        with self._lock:
            return self._random.randbytes(count)

    def alnum(self, length: int) -> str:
        return self._bytes(length).translate(_ALNUM_OF_BYTE).decode("ascii")

    def hex(self, length: int) -> str:
        return self._bytes((length + 1) // 2).hex()[:length]

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def chat_completion(self) -> str:
        return "chatcmpl-" + self.alnum(29)

    def prefixed_hex(self, prefix: str, length: int = 32) -> str:
        return prefix + self.hex(length)

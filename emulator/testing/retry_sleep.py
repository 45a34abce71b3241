"""Retries that pass in simulated time: the `openai` SDK's wait before a retry moves the emulator's clock
instead of holding the test.

The SDK waits out a 429's `retry-after-ms` (or its own back-off) with `time.sleep` in sync clients and
`anyio.sleep` in async ones, both called from `openai._base_client`. While a `SleepOnClock` is started,
that module sees stand-ins whose `sleep` advances the emulator's clock by the same seconds and returns at
once; every other name of `time` and `anyio` is the real one, and no other module is touched. A rate
limit's windows follow the emulator's clock, so the retry meets the next window without real waiting.
"""

from __future__ import annotations

import importlib
import threading
import types
from collections.abc import Callable
from typing import Any

Advance = Callable[[float], object]


class _StandIn(types.SimpleNamespace):
    """A module's names, one of them replaced."""

    def __init__(self, real: types.ModuleType, **replaced: Any) -> None:
        super().__init__(**replaced)
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class SleepOnClock:
    """While started, the SDK's retry waits advance the emulator's clock (`advance(seconds)`). Starts
    nest: the latest started advances, and stopping gives the wait back to the one before."""

    _lock = threading.Lock()
    _active: list[SleepOnClock] = []
    _saved: tuple[Any, Any] | None = None

    def __init__(self, advance: Advance) -> None:
        self.advance = advance

    @staticmethod
    def _module() -> types.ModuleType | None:
        try:
            return importlib.import_module("openai._base_client")
        except ImportError:  # no SDK installed: nothing waits
            return None

    def start(self) -> SleepOnClock:
        module = self._module()
        if module is None:
            return self
        cls = SleepOnClock
        with cls._lock:
            if not cls._active:
                real_time, real_anyio = getattr(module, "time"), getattr(module, "anyio")  # noqa: B009
                cls._saved = (real_time, real_anyio)

                def sleep(seconds: float) -> None:
                    cls._current().advance(max(0.0, float(seconds)))

                async def async_sleep(seconds: float) -> None:
                    cls._current().advance(max(0.0, float(seconds)))
                    await real_anyio.sleep(0)  # still a point where other tasks may run

                setattr(module, "time", _StandIn(real_time, sleep=sleep))  # noqa: B010
                setattr(module, "anyio", _StandIn(real_anyio, sleep=async_sleep))  # noqa: B010
            cls._active.append(self)
        return self

    @classmethod
    def _current(cls) -> SleepOnClock:
        with cls._lock:
            return cls._active[-1]

    def stop(self) -> None:
        module = self._module()
        cls = SleepOnClock
        with cls._lock:
            if self not in cls._active:
                return
            cls._active.remove(self)
            if not cls._active and module is not None and cls._saved is not None:
                setattr(module, "time", cls._saved[0])  # noqa: B010
                setattr(module, "anyio", cls._saved[1])  # noqa: B010
                cls._saved = None

    def __enter__(self) -> SleepOnClock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

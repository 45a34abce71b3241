"""The emulator for tests: in-process and live emulators, the pytest plugin, interception of SDK clients.

The emulators load on first use, so that pytest loading the plugin (emulator/testing/plugin.py) costs a
test run nothing until a test asks for an emulator."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.testing.emulators import InProcessEmulator, LiveEmulator, free_port

__all__ = ["InProcessEmulator", "LiveEmulator", "free_port"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("emulator.testing.emulators"), name)
    raise AttributeError(f"module 'emulator.testing' has no attribute {name!r}")

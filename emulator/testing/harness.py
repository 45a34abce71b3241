"""What the pytest plugin's fixtures are: the emulators with state inspection and seeding helpers.

Kept apart from the plugin module so that pytest, which loads the plugin in every session where the package
is installed, imports the emulator itself only when a test asks for one of its fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from emulator.control.api import STORED_API_VERSION, ControlError
from emulator.control.client import ControlClient
from emulator.testing.emulators import InProcessEmulator, LiveEmulator

if TYPE_CHECKING:
    import openai
    from openai.types import FilePurpose

__all__ = ["ControlError", "EmulatorFixture", "Inspection", "LiveServer"]


class Inspection:
    """State and seeding helpers shared by both fixtures, over the emulator-only routes and the SDK."""

    control: ControlClient

    def openai_client(self, base_url: str | None = None, **kwargs: Any) -> openai.OpenAI:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """What the emulator holds: stored-completion count and bytes, deployments, the clock."""
        return self.control.state()

    def stored_completions(self, **filters: str) -> list[dict[str, Any]]:
        """Every stored completion, oldest first, as the list API returns them (`model=`, `metadata[k]=`)."""
        found: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            query = {"api-version": STORED_API_VERSION, "limit": "100", "order": "asc", **filters}
            if after:
                query["after"] = after
            page = self.control.call("GET", "/openai/chat/completions?" + urlencode(query))
            found += page["data"]
            if not page["has_more"]:
                return found
            after = page["last_id"]

    def seed_files(self, *paths: str | Path, purpose: FilePurpose = "fine-tune") -> list[str]:
        """Upload files as a client would; returns their ids in order."""
        with self.openai_client() as client:
            ids = []
            for path in paths:
                with open(path, "rb") as handle:
                    ids.append(client.files.create(file=handle, purpose=purpose).id)
        return ids


class EmulatorFixture(InProcessEmulator, Inspection):
    """The `aoai_emulator` fixture: an InProcessEmulator plus state inspection and seeding."""


class LiveServer(LiveEmulator, Inspection):
    """The `aoai_live_server` fixture: a LiveEmulator plus state inspection and seeding."""

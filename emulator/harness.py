"""What the pytest plugin's fixtures are: the emulators with state inspection and seeding helpers.

Kept apart from the plugin module so that pytest, which loads the plugin in every session where the package
is installed, imports the emulator itself only when a test asks for one of its fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from emulator.testing import InProcessEmulator, LiveEmulator

if TYPE_CHECKING:
    import openai
    from openai.types import FilePurpose

STORED_API_VERSION = "2025-02-01-preview"  # the first api-version with the stored-completions API


class ControlError(Exception):
    """An emulator-only route answered with an error."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


class Inspection:
    """State and seeding helpers shared by both fixtures, over the emulator-only routes and the SDK."""

    key: str

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    def openai_client(self, base_url: str | None = None, **kwargs: Any) -> openai.OpenAI:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """What the emulator holds: stored-completion count and bytes, deployments, the clock."""
        return dict(self.control("GET", "/_emulator/state"))

    def stored_completions(self, **filters: str) -> list[dict[str, Any]]:
        """Every stored completion, oldest first, as the list API returns them (`model=`, `metadata[k]=`)."""
        found: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            query = {"api-version": STORED_API_VERSION, "limit": "100", "order": "asc", **filters}
            if after:
                query["after"] = after
            page = self.control("GET", "/openai/chat/completions?" + urlencode(query))
            found += page["data"]
            if not page["has_more"]:
                return found
            after = page["last_id"]

    def seed_files(self, *paths: str | Path, purpose: FilePurpose = "fine-tune") -> list[str]:
        """Upload files as a client would; returns their ids in order."""
        client = self.openai_client()
        ids = []
        for path in paths:
            with open(path, "rb") as handle:
                ids.append(client.files.create(file=handle, purpose=purpose).id)
        return ids


class EmulatorFixture(InProcessEmulator, Inspection):
    """The `aoai_emulator` fixture: an InProcessEmulator plus state inspection and seeding."""

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = [(b"api-key", self.key.encode()), (b"content-type", b"application/json")]
        raw = b"" if body is None else json.dumps(body).encode()
        status, _, content = self.run(self.asgi(method, self.endpoint + path, headers, raw))
        data = json.loads(content) if content else None
        if status >= 400:
            raise ControlError(status, data)
        return data


class LiveServer(LiveEmulator, Inspection):
    """The `aoai_live_server` fixture: a LiveEmulator plus state inspection and seeding."""

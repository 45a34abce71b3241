"""Training files for the fine-tuning tests, and the clients that upload them."""

from __future__ import annotations

import json
from typing import Any

from tests.surfaces import client

# Pause and resume exist from this version on; every other job operation is older.
JOBS_API_VERSION = "2025-04-01-preview"
LEGACY_API_VERSION = "2023-05-15"
BASE = "gpt-4o-mini-2024-07-18"


def chat_lines(count: int) -> bytes:
    rows = [
        {
            "messages": [
                {"role": "system", "content": "You answer in one word."},
                {"role": "user", "content": f"Name fruit number {n}."},
                {"role": "assistant", "content": f"Fruit{n}"},
            ]
        }
        for n in range(count)
    ]
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def completion_lines(count: int) -> bytes:
    rows = [
        {"prompt": f"When I go to place {n}, I want a", "completion": f" thing {n}"} for n in range(count)
    ]
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def jobs_client(emulator: Any, surface: str, **kwargs: Any) -> Any:
    return client(emulator, surface, api_version=JOBS_API_VERSION, **kwargs)


def upload(sdk: Any, content: bytes, purpose: str = "fine-tune", name: str = "train.jsonl") -> str:
    created = sdk.files.create(file=(name, content), purpose=purpose)
    return str(sdk.files.wait_for_processing(created.id, poll_interval=0).id)

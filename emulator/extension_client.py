"""The command line's client for the emulator's own routes on a running emulator.

Each command prints the answer as JSON and exits 0; a refusal prints the service's message and the field
it names and exits 1; a bad argument or an unreachable emulator exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from emulator.settings import DEFAULT_API_KEY

DEFAULT_ENDPOINT = "http://127.0.0.1:8000"


def add_connection(command: Any) -> None:
    command.add_argument("--endpoint", default=DEFAULT_ENDPOINT, help="where the emulator serves")
    command.add_argument("--api-key", "--key", default=DEFAULT_API_KEY)


def send(
    args: argparse.Namespace,
    command: str,
    method: str,
    path: str,
    make_body: Callable[[argparse.Namespace], dict[str, Any]] | None = None,
) -> int:
    """Send the command's request to its route; print the answer, or the refusal (exit 1)."""
    try:
        body = None if make_body is None else json.dumps(make_body(args)).encode()
    except (OSError, ValueError) as problem:
        print(f"aoai-emulator {command}: {problem}", file=sys.stderr)
        return 2
    headers = {"api-key": args.api_key}
    if body is not None:
        headers["content-type"] = "application/json"
    request = urllib.request.Request(
        args.endpoint.rstrip("/") + path, data=body, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            print(json.dumps(json.loads(response.read()), indent=2))
            return 0
    except urllib.error.HTTPError as refused:
        error = _error_of(refused.read())
        print(
            f"aoai-emulator {command}: {error.get('message')} (param: {error.get('param')})", file=sys.stderr
        )
        return 1
    except urllib.error.URLError as unreachable:
        print(f"aoai-emulator {command}: cannot reach {args.endpoint}: {unreachable.reason}", file=sys.stderr)
        return 2


def _error_of(raw: bytes) -> dict[str, Any]:
    try:
        found = json.loads(raw or b"{}").get("error")
    except (ValueError, AttributeError):
        found = None
    return found if isinstance(found, dict) else {"message": raw.decode(errors="replace") or "refused"}

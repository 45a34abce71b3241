"""The command line's side of the emulator's own routes: where the running emulator is, and what to print
(the requests go through emulator/control/client.py, as the test harness's do).

It finds the emulator as the SDK would: `--endpoint`, else `AZURE_OPENAI_ENDPOINT`, else `OPENAI_BASE_URL`
(without its `/v1`), else http://127.0.0.1:8000; and the key from `--api-key`, else `AZURE_OPENAI_API_KEY`,
else `OPENAI_API_KEY`, else the development key: what `aoai-emulator serve` says to export.

Each command prints the answer as JSON and exits 0; a refusal prints the service's message and the field
it names and exits 1; a bad argument or an unreachable emulator exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from emulator.control.api import DEFAULT_ENDPOINT
from emulator.control.client import ControlClient, SocketTransport
from emulator.settings import DEFAULT_API_KEY

# What `aoai-emulator serve` tells the user to export, in the order they are read.
ENDPOINT_VARIABLES = ("AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL")
KEY_VARIABLES = ("AZURE_OPENAI_API_KEY", "OPENAI_API_KEY")


def add_connection(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--endpoint",
        help="where the emulator serves (default: $AZURE_OPENAI_ENDPOINT, else $OPENAI_BASE_URL without "
        f"its /v1, else {DEFAULT_ENDPOINT})",
    )
    command.add_argument(
        "--api-key",
        "--key",
        help=f"the key to send (default: $AZURE_OPENAI_API_KEY, else $OPENAI_API_KEY, else {DEFAULT_API_KEY})",
    )


def endpoint_of(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """The flag, else the first variable set, else the default; without a trailing slash."""
    if args.endpoint:
        return str(args.endpoint).rstrip("/")
    for name in ENDPOINT_VARIABLES:
        value = environ.get(name, "").strip().rstrip("/")
        if value:
            # OPENAI_BASE_URL names the OpenAI surface; the emulator's own routes sit above it.
            return value.removesuffix("/v1") if name == "OPENAI_BASE_URL" else value
    return DEFAULT_ENDPOINT


def key_of(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    if args.api_key:
        return str(args.api_key)
    return next((environ[name] for name in KEY_VARIABLES if environ.get(name)), DEFAULT_API_KEY)


def send(
    args: argparse.Namespace,
    command: str,
    method: str,
    path: str,
    make_body: Callable[[argparse.Namespace], dict[str, Any]] | None = None,
) -> int:
    """Send the command's request to its route; print the answer, or the refusal (exit 1)."""
    endpoint = endpoint_of(args, os.environ)
    try:
        body = None if make_body is None else make_body(args)
        control = ControlClient(SocketTransport(endpoint), key_of(args, os.environ))
    except (OSError, ValueError) as problem:
        print(f"aoai-emulator {command}: {problem}", file=sys.stderr)
        return 2
    try:
        reply = control.send(method, path, body)
    except OSError as unreachable:
        print(f"aoai-emulator {command}: cannot reach {endpoint}: {unreachable}", file=sys.stderr)
        return 2
    if reply.status >= 400:
        error = reply.error()
        print(
            f"aoai-emulator {command}: {error.get('message')} (param: {error.get('param')})", file=sys.stderr
        )
        return 1
    print(json.dumps(reply.json(), indent=2))
    return 0

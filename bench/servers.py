"""The servers under load, each a uvicorn process of its own (one worker, access log off)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping

from emulator.testing import free_port


@contextlib.contextmanager
def _process(
    command: list[str], port: int, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> Iterator[str]:
    """Start `command`, wait until it answers /health on `port`, yield its base URL, stop it."""
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{error}")
            try:
                with urllib.request.urlopen(base + "/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(command)} did not answer /health in {timeout} s") from None
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def emulator(db_path: str) -> contextlib.AbstractContextManager[str]:
    """`aoai-emulator serve --db <file>`: the emulator as a user runs it."""
    port = free_port()
    command = [sys.executable, "-m", "emulator", "serve", "--db", db_path, "--port", str(port)]
    return _process(command, port)


def bare(db_path: str) -> contextlib.AbstractContextManager[str]:
    """bench/bare.py under the same uvicorn settings: the stack's own limit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.bare:app",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return _process(command, port, {"BENCH_BARE_DB": db_path})

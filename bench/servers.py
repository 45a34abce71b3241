"""The servers under load, each a uvicorn process of its own (one worker, access log off)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO

from emulator.testing import free_port


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def loop_cpu_seconds(self) -> float | None:
        """CPU time of the server's main thread, which runs the event loop and so bounds a
        one-worker server's throughput; None where /proc is missing. Unlike wall-clock figures it
        hardly moves when other work shares the machine."""
        try:
            with open(f"/proc/{self.pid}/task/{self.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _process(
    command: list[str], port: int, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> Iterator[Server]:
    """Start `command`, wait until it answers /health on `port`, yield it, stop it."""
    base = f"http://127.0.0.1:{port}"
    # A file, not a pipe: a pipe nobody reads would stall a server that logs a lot.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, env={**os.environ, **(env or {})}
        )
        try:
            _wait_healthy(process, command, base, errors, timeout)
            yield Server(base, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(
    process: subprocess.Popen[bytes], command: list[str], base: str, errors: IO[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    shown = " ".join(command)
    while True:
        if process.poll() is not None:
            errors.seek(0)
            output = errors.read().decode(errors="replace")[-4000:]
            raise RuntimeError(f"{shown} exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{shown} did not answer /health in {timeout} s") from None
            time.sleep(0.05)


def emulator(db_path: str, *options: str) -> contextlib.AbstractContextManager[Server]:
    """`aoai-emulator serve --db <file> [options]`: the emulator as a user runs it."""
    port = free_port()
    command = [sys.executable, "-m", "emulator", "serve", "--db", db_path, "--port", str(port), *options]
    return _process(command, port)


def bare(db_path: str) -> contextlib.AbstractContextManager[Server]:
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

"""Uploading a 200 MB training file: the server's peak memory above idle must stay under 100 MB.

The upload goes through the SDK to a real `aoai-emulator serve` process, whose resident memory is
sampled from /proc while the file streams to disk and is validated. Idle is measured before the first
request, so the figure includes everything the upload loads (the tokenizer that counts the file's
tokens among it).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from pathlib import Path

from bench.options import Options
from bench.report import Figure
from emulator.testing import LiveEmulator

MB = 1_000_000
FULL_SIZE = 200 * MB
BAR_MB = 100.0
LINE = (
    json.dumps(
        {
            "messages": [
                {"role": "system", "content": "You are a helpful assistant that answers briefly."},
                {"role": "user", "content": "What is the capital of France? Please answer in one word."},
                {"role": "assistant", "content": "Paris."},
            ]
        }
    ).encode()
    + b"\n"
)


def resident_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def write_training_file(path: Path, size: int) -> int:
    chunk = LINE * 1000
    written = 0
    with open(path, "wb") as out:
        while written < size:
            out.write(chunk)
            written += len(chunk)
    return written


class PeakSampler:
    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = resident_bytes(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, resident_bytes(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, resident_bytes(self.pid))


def run(options: Options) -> list[Figure]:
    size = FULL_SIZE if options.time_scale >= 1 else int(FULL_SIZE * options.time_scale)
    with tempfile.TemporaryDirectory(prefix="aoai-bench-upload-") as folder:
        path = Path(folder) / "train.jsonl"
        size = write_training_file(path, size)
        with LiveEmulator() as server:
            idle = resident_bytes(server.process.pid)
            client = server.openai_client(timeout=900)
            started = time.perf_counter()
            with PeakSampler(server.process.pid) as sampler, open(path, "rb") as handle:
                created = client.files.create(file=handle, purpose="fine-tune")
            seconds = time.perf_counter() - started
            ok = created.status == "processed" and created.bytes == os.path.getsize(path)
    above = (sampler.peak - idle) / MB
    label = f"{size / MB:.0f} MB upload"
    return [
        Figure(
            f"{label}: server peak memory above idle",
            f"{above:.1f} MB",
            f"< {BAR_MB:.0f} MB",
            ok and above < BAR_MB,
            f"idle {idle / MB:.0f} MB; streamed to disk and validated"
            + ("" if ok else f"; upload answered status {created.status!r}"),
        ),
        Figure(f"{label}: time to upload and validate", f"{seconds:.1f} s", notes="context"),
    ]

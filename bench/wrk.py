"""The load generator: Debian's `wrk`, driven by a generated Lua script, its figures read back as JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass


class WrkMissing(RuntimeError):
    pass


def ensure_wrk() -> str:
    """The path of `wrk`, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("bench: wrk is missing; installing it with apt-get", flush=True)
    command = "apt-get update -qq && apt-get install -y -qq wrk"
    if os.geteuid() != 0 and shutil.which("sudo"):
        command = f"sudo sh -c '{command}'"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True)
    found = shutil.which("wrk")
    if result.returncode != 0 or not found:
        raise WrkMissing(
            "bench: could not install wrk (`apt-get install -y wrk` failed). Install it by hand "
            "(Debian/Ubuntu: `sudo apt-get install -y wrk`) and run `make bench` again.\n"
            + (result.stderr or result.stdout)[-2000:]
        )
    return found


@dataclass(frozen=True)
class Load:
    """What to send: one request, repeated."""

    url: str
    method: str = "GET"
    body: bytes | None = None
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    failed: int  # socket errors plus responses outside 2xx/3xx
    latency_mean_ms: float
    latency_p50_ms: float
    latency_p99_ms: float
    cpu_share: float  # wrk's own CPU time over wall time: near 1.0 would mean wrk is the bottleneck

    @property
    def rps(self) -> float:
        """Successful responses per second: a failed request never counts as throughput."""
        return (self.requests - self.failed) / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        """Context for a figure: latency, failures, and how busy the load generator itself was."""
        failed = f", {self.failed} FAILED" if self.failed else ""
        return (
            f"p50 {self.latency_p50_ms:.2f} ms, p99 {self.latency_p99_ms:.2f} ms, "
            f"{self.requests} requests{failed}; wrk cpu {self.cpu_share:.0%}"
        )


# wrk calls `done` once in its main Lua state with the merged figures of every thread.
_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests":%d,"duration_us":%d,"failed":%d,"mean_us":%.1f,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    latency.mean, latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    level = "=" * 4
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def lua_script(load: Load) -> str:
    lines = [f"wrk.method = {_lua_string(load.method)}"]
    if load.body is not None:
        lines.append(f"wrk.body = {_lua_string(load.body.decode())}")
    for name, value in (load.headers or {}).items():
        lines.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    return "\n".join(lines) + "\n" + _DONE


def run(load: Load, *, seconds: float, connections: int, threads: int = 1) -> WrkResult:
    """Drive `load` for `seconds` over `connections` keep-alive connections."""
    binary = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(load))
    try:
        command = [
            binary,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            load.url,
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        start = os.times()
        stdout, stderr = process.communicate()
        end = os.times()
    finally:
        os.unlink(script.name)
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}): {stderr or stdout}")
    line = next((ln for ln in stdout.splitlines() if ln.startswith("BENCH-RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{stdout}\n{stderr}")
    data = json.loads(line.split(" ", 1)[1])
    wall = end.elapsed - start.elapsed
    cpu = (end.children_user - start.children_user) + (end.children_system - start.children_system)
    return WrkResult(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        failed=int(data["failed"]),
        latency_mean_ms=data["mean_us"] / 1000,
        latency_p50_ms=data["p50_us"] / 1000,
        latency_p99_ms=data["p99_us"] / 1000,
        cpu_share=cpu / wall if wall > 0 else 0.0,
    )


def measure(load: Load, *, seconds: float, connections: int, warmup: float = 1.0) -> WrkResult:
    """A short unmeasured run first (imports, caches, the database's pages), then the measured one."""
    if warmup > 0:
        run(load, seconds=warmup, connections=connections)
    return run(load, seconds=seconds, connections=connections)

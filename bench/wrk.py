"""The load generator: Debian's `wrk`, driven by a generated Lua script, its figures read back as JSON."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
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
        command = f"sudo -n sh -c '{command}'"  # -n: fail rather than wait for a password
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True)
    found = shutil.which("wrk")
    if result.returncode != 0 or not found:
        raise WrkMissing(
            "bench: could not install wrk (`apt-get install -y wrk` failed). Install it by hand "
            "(Debian/Ubuntu: `sudo apt-get install -y wrk`) and run `make bench` again.\n"
            + (result.stderr or result.stdout)[-2000:]
        )
    return found


# Where a body takes a per-request number, so that no request repeats another: a cache keyed on the
# request could otherwise answer every request after the first and the figure would measure the cache.
VARY = "{{n}}"
_runs = itertools.count(1)


@dataclass(frozen=True)
class Load:
    """What to send: one request, repeated; a body holding VARY gets a different number there each time."""

    url: str
    method: str = "GET"
    body: bytes | None = None
    headers: Mapping[str, str] | None = None
    cpu_seconds: Callable[[], float | None] | None = None  # the server's event-loop CPU clock


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    failed: int  # socket errors plus responses outside 2xx/3xx
    latency_mean_ms: float
    latency_p50_ms: float
    latency_p99_ms: float
    cpu_share: float  # wrk's own CPU time over wall time: near 1.0 would mean wrk is the bottleneck
    server_cpu_s: float | None = None  # the server's event-loop CPU time over the run

    @property
    def rps(self) -> float:
        """Successful responses per second: a failed request never counts as throughput."""
        return (self.requests - self.failed) / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float | None:
        """The server's event-loop CPU per response: a cost that other work on the machine hardly moves."""
        if self.server_cpu_s is None or not self.requests:
            return None
        return self.server_cpu_s * 1000 / self.requests

    @classmethod
    def merge(cls, results: Sequence[WrkResult]) -> WrkResult:
        """Several runs of one load as one: counts add up; latencies are request-weighted means of the
        runs' own figures (the runs' histograms are not kept, so percentiles are approximate)."""
        requests = sum(r.requests for r in results)

        def weighted(value: Callable[[WrkResult], float]) -> float:
            return sum(value(r) * r.requests for r in results) / requests if requests else 0.0

        return cls(
            requests=requests,
            seconds=sum(r.seconds for r in results),
            failed=sum(r.failed for r in results),
            latency_mean_ms=weighted(lambda r: r.latency_mean_ms),
            latency_p50_ms=weighted(lambda r: r.latency_p50_ms),
            latency_p99_ms=weighted(lambda r: r.latency_p99_ms),
            cpu_share=max(r.cpu_share for r in results),
            server_cpu_s=None
            if any(r.server_cpu_s is None for r in results)
            else sum(r.server_cpu_s or 0.0 for r in results),
        )

    def summary(self) -> str:
        """Context for a figure: latency, failures, and how busy the load generator itself was."""
        failed = f", {self.failed} FAILED" if self.failed else ""
        cpu = self.cpu_ms_per_request
        loop = "" if cpu is None else f"loop cpu {cpu:.2f} ms/req, "
        return (
            f"p50 {self.latency_p50_ms:.2f} ms, p99 {self.latency_p99_ms:.2f} ms, "
            f"{self.requests} requests{failed}; {loop}wrk cpu {self.cpu_share:.0%}"
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
    for name, value in (load.headers or {}).items():
        lines.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    body = None if load.body is None else load.body.decode()
    if body is not None and VARY in body:
        head, tail = body.split(VARY, 1)
        # Each run (warm-up included) and each of its threads counts from its own start, so no request
        # repeats any other.
        lines += [
            f"head, tail, first, threads = {_lua_string(head)}, {_lua_string(tail)}, {next(_runs) * 10**9}, 0",
            "setup = function(thread)",
            "  threads = threads + 1",
            "  thread:set('n', first + threads * 10^8)",
            "end",
            "request = function()",
            "  n = n + 1",
            "  return wrk.format(nil, nil, nil, head .. string.format('%d', n) .. tail)",
            "end",
        ]
    elif body is not None:
        lines.append(f"wrk.body = {_lua_string(body)}")
    return "\n".join(lines) + "\n" + _DONE


def run(load: Load, *, seconds: int, connections: int, threads: int = 1) -> WrkResult:
    """Drive `load` for `seconds` (wrk takes whole seconds) over `connections` keep-alive connections."""
    binary = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(load))
    try:
        command = [
            binary,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, seconds)}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            load.url,
        ]
        server_before = load.cpu_seconds() if load.cpu_seconds else None
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        start = os.times()
        stdout, stderr = process.communicate()
        end = os.times()
        server_after = load.cpu_seconds() if load.cpu_seconds else None
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
        server_cpu_s=None if server_before is None or server_after is None else server_after - server_before,
    )


def compare(
    loads: Sequence[Load], *, seconds: int, connections: int, rounds: int = 2, warmup: int = 1
) -> list[WrkResult]:
    """Measure each load for `seconds` in all, taking turns over `rounds`, so that a burst of other
    work on the machine weighs on every side alike instead of on whichever ran at that moment.

    Each load first gets an unmeasured warm-up (imports, caches, the database's pages)."""
    if warmup > 0:
        for load in loads:
            run(load, seconds=warmup, connections=connections)
    per_round = max(1, round(seconds / rounds))
    taken: list[list[WrkResult]] = [[] for _ in loads]
    for _ in range(rounds):
        for index, load in enumerate(loads):
            taken[index].append(run(load, seconds=per_round, connections=connections))
    return [WrkResult.merge(results) for results in taken]

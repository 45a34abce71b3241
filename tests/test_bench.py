"""The benchmark's own machinery, without a server: the wrk script it generates, merged runs, the table."""

from __future__ import annotations

import pytest

from bench import wrk
from bench.report import Figure, table
from bench.workload import CREATE_BODY, HEADERS, create_body


def result(requests: int, p50: float, cpu: float | None) -> wrk.WrkResult:
    return wrk.WrkResult(requests, 2.0, 0, p50, p50, p50 * 3, 0.05, cpu)


def test_a_varied_body_gets_a_number_per_request_and_fresh_numbers_per_run() -> None:
    first, second = (wrk.lua_script(wrk.Load("http://x/", "POST", CREATE_BODY, HEADERS)) for _ in range(2))
    assert "request = function()" in first and "wrk.body" not in first
    head, tail = CREATE_BODY.decode().split(wrk.VARY)
    assert head in first and tail in first and wrk.VARY not in first
    assert first != second  # each run counts from its own start
    assert wrk.VARY.encode() not in create_body(7) and b"(Sample 7.)" in create_body(7)


def test_a_fixed_body_is_sent_as_is_even_with_lua_brackets_inside() -> None:
    script = wrk.lua_script(wrk.Load("http://x/", "POST", b'{"a":"]====]"}', {"api-key": "k"}))
    assert "wrk.body = [=====[" in script and "request = function" not in script


def test_merged_runs_add_counts_and_weigh_latency_by_requests() -> None:
    merged = wrk.WrkResult.merge([result(100, 1.0, 0.1), result(300, 2.0, 0.3)])
    assert (merged.requests, merged.seconds) == (400, 4.0)
    assert merged.latency_p50_ms == pytest.approx(1.75)
    assert merged.rps == pytest.approx(100.0)
    assert merged.cpu_ms_per_request == pytest.approx(1.0)
    assert wrk.WrkResult.merge([result(1, 1.0, None), result(1, 1.0, 0.1)]).cpu_ms_per_request is None


def test_failed_requests_are_not_throughput() -> None:
    assert wrk.WrkResult(100, 1.0, 40, 1.0, 1.0, 1.0, 0.0).rps == 60


def test_the_table_shows_each_verdict() -> None:
    text = table([Figure("a", "1", ">= 0.5", True), Figure("b", "2", ">= 0.5", False), Figure("c", "3")])
    lines = text.splitlines()
    assert lines[0].split() == ["figure", "measured", "bar", "result", "notes"]
    assert (
        lines[2].split()[-1] == "PASS" and lines[3].split()[-1] == "FAIL" and lines[4].split() == ["c", "3"]
    )


@pytest.mark.parametrize(
    ("figures", "status"),
    [
        ([Figure("a", "1", ">= 0.5", True), Figure("c", "3")], 0),
        ([Figure("a", "1", ">= 0.5", True), Figure("b", "0.1", ">= 0.5", False)], 1),
    ],
)
def test_make_bench_fails_when_a_bar_is_missed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], figures: list[Figure], status: int
) -> None:
    import bench.__main__ as command

    monkeypatch.setattr(command, "ensure_wrk", lambda: "wrk")
    monkeypatch.setattr(command, "SECTIONS", (("only", lambda options: figures),))
    assert command.main([]) == status
    printed = capsys.readouterr().out
    assert ("FAIL" in printed) is bool(status)


def test_a_section_that_cannot_be_measured_fails_the_bench(monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.__main__ as command

    def broken(options: object) -> list[Figure]:
        raise ConnectionError("the server did not start")

    monkeypatch.setattr(command, "ensure_wrk", lambda: "wrk")
    monkeypatch.setattr(command, "SECTIONS", (("broken", broken),))
    assert command.main([]) == 1


def test_the_bench_fails_without_wrk(monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.__main__ as command

    def missing() -> str:
        raise wrk.WrkMissing("bench: could not install wrk")

    monkeypatch.setattr(command, "ensure_wrk", missing)
    assert command.main([]) == 2

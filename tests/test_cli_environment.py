"""The client commands (`deployments`, `distill`, `evaluate`) find the emulator where `serve` tells the user
to point everything: the flag, else AZURE_OPENAI_ENDPOINT / OPENAI_BASE_URL and their keys, else the
default, which `--help` shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.cli.main import main
from emulator.testing import LiveEmulator

VARIABLES = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_KEY")
SIMILAR = {
    "type": "text_similarity",
    "name": "similar",
    "input": "{{sample.output_text}}",
    "reference": "{{item.output_text}}",
    "evaluation_metric": "fuzzy_match",
    "pass_threshold": 0.5,
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, live_server: LiveEmulator) -> pytest.MonkeyPatch:
    live_server.reset()
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def output(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def store_tagged(live_server: LiveEmulator, count: int) -> None:
    sdk = live_server.openai_client()
    for n in range(count):
        messages = [{"role": "user", "content": f"Summarise topic {n}."}]
        sdk.chat.completions.create(model="gpt-4o", messages=messages, store=True, metadata={"task": "t"})


def test_commands_read_the_azure_variables(
    environment: pytest.MonkeyPatch, live_server: LiveEmulator, tmp_path: Path, capsys: Any
) -> None:
    environment.setenv("AZURE_OPENAI_ENDPOINT", live_server.endpoint + "/")
    environment.setenv("AZURE_OPENAI_API_KEY", live_server.key)
    assert main(["deployments", "create", "--name", "mini", "--model", "gpt-4o-mini"]) == 0
    assert output(capsys)["name"] == "mini"
    assert main(["deployments", "list"]) == 0
    assert "mini" in {d["name"] for d in output(capsys)["data"]}

    store_tagged(live_server, 10)
    assert main(["distill", "--metadata", "task=t", "--model", "gpt-4o-mini"]) == 0
    assert output(capsys)["completions"] == 10
    criteria = tmp_path / "criteria.json"
    criteria.write_text(json.dumps([SIMILAR]))
    assert main(["evaluate", "--criteria", str(criteria), "--metadata", "task=t"]) == 0
    assert output(capsys)["file"]["lines"] == 10


def test_commands_read_the_openai_variables(
    environment: pytest.MonkeyPatch, live_server: LiveEmulator, capsys: Any
) -> None:
    environment.setenv("OPENAI_BASE_URL", live_server.endpoint + "/v1")
    environment.setenv("OPENAI_API_KEY", live_server.key)
    assert main(["deployments", "get", "gpt-4o"]) == 0
    assert output(capsys)["name"] == "gpt-4o"


def test_a_flag_wins_over_the_environment(
    environment: pytest.MonkeyPatch, live_server: LiveEmulator, capsys: Any
) -> None:
    environment.setenv("AZURE_OPENAI_ENDPOINT", "http://127.0.0.1:9")
    environment.setenv("AZURE_OPENAI_API_KEY", "not-the-key")
    assert main(["deployments", "list"]) == 2
    assert "cannot reach http://127.0.0.1:9" in capsys.readouterr().err
    assert main(["deployments", "list", "--endpoint", live_server.endpoint]) == 1  # the key from the env
    assert "not***-key" in capsys.readouterr().err  # refused, naming the key it sent
    connection = ["--endpoint", live_server.endpoint, "--api-key", live_server.key]
    assert main(["deployments", "list", *connection]) == 0


@pytest.mark.parametrize("command", [["deployments", "list"], ["distill"], ["evaluate"]])
def test_help_shows_the_default_endpoint_and_the_variables(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "http://127.0.0.1:8000" in shown and "$AZURE_OPENAI_ENDPOINT" in shown
    assert "$OPENAI_BASE_URL" in shown and "$AZURE_OPENAI_API_KEY" in shown and "aoai-emulator-key" in shown

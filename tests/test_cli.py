"""The command line: `serve` options and banner, `deployments` checking a file, deployments files served."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.cli.main import banner, main, parser
from emulator.settings import DEFAULT_API_KEY, Settings
from emulator.testing import InProcessEmulator, LiveEmulator
from tests.surfaces import HELLO

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "deployments.json"
CONSOLE_SCRIPT = Path(sys.executable).with_name("aoai-emulator")


def test_serve_help() -> None:
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "serve", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    for option in (
        "--host",
        "--port",
        "--db",
        "--in-memory",
        "--api-key",
        "--deployments",
        "--lenient-api-version",
    ):
        assert option in result.stdout
    assert "loopback" in result.stdout


def test_serve_defaults_to_loopback_and_a_file() -> None:
    args = parser().parse_args(["serve"])
    assert (args.host, args.port, args.in_memory, args.db) == ("127.0.0.1", 8000, False, None)


def test_db_and_in_memory_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--db", "x.sqlite3", "--in-memory"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_banner_prints_endpoint_key_and_environment() -> None:
    text = banner(Settings(), "127.0.0.1", 8123)
    lines = text.splitlines()
    assert "http://127.0.0.1:8123" in lines[0]
    assert any(DEFAULT_API_KEY in line and "API key" in line for line in lines)
    assert "  export AZURE_OPENAI_ENDPOINT=http://127.0.0.1:8123" in lines
    assert f"  export AZURE_OPENAI_API_KEY={DEFAULT_API_KEY}" in lines
    assert "  export OPENAI_BASE_URL=http://127.0.0.1:8123/v1" in lines
    assert f"  export OPENAI_API_KEY={DEFAULT_API_KEY}" in lines
    assert "in memory" in lines[0]


def test_banner_shows_the_database_and_a_placeholder_for_a_configured_key() -> None:
    text = banner(Settings(api_keys=("my-key",), db_path="/tmp/e.sqlite3"), "0.0.0.0", 9000)
    assert "export AZURE_OPENAI_API_KEY=<your key>" in text and "export OPENAI_API_KEY=<your key>" in text
    assert "/tmp/e.sqlite3" in text and "well-known" not in text and "my-key" not in text


def test_deployments_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deployments"]) == 0
    shown = json.loads(capsys.readouterr().out)["deployments"]
    assert {d["name"] for d in shown} >= {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano"}


def test_deployments_checks_a_good_file() -> None:
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "deployments", "--file", str(FIXTURE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)["deployments"]
    assert [d["name"] for d in shown] == ["support-bot", "gpt-4o"]


BROKEN = [
    ("not json", "{deployments: [", "not valid JSON"),
    ("wrong shape", '{"deployments": {"name": "x"}}', "expected a list of deployments"),
    ("no name", '{"deployments": [{"model": "gpt-4o"}]}', "needs a non-empty string 'name'"),
    ("no model", '{"deployments": [{"name": "bot"}]}', "deployment 'bot' needs a string 'model'"),
    (
        "twice",
        '[{"name": "a", "model": "gpt-4o"}, {"name": "a", "model": "gpt-4o-mini"}]',
        "deployment 'a' is declared twice",
    ),
    ("bad version", '[{"name": "a", "model": "gpt-4o", "version": 5}]', "'version' must be a string"),
]


@pytest.mark.parametrize("name,content,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_deployments_rejects_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    path = tmp_path / "deployments.json"
    path.write_text(content, encoding="utf-8")
    assert main(["deployments", "--file", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and str(path) in captured.err
    # `serve` refuses the same file before it binds anything.
    assert main(["serve", "--in-memory", "--deployments", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_deployments_rejects_a_missing_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "deployments", "--file", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot read deployments file" in result.stderr and "nope.json" in result.stderr


def check_fixture_deployments(emu: Any) -> None:
    azure = emu.azure_client()
    bot = azure.chat.completions.create(model="support-bot", messages=HELLO)
    assert bot.model == "gpt-4o-mini-2024-07-18"
    with pytest.raises(openai.NotFoundError) as caught:
        azure.chat.completions.create(model="gpt-4.1", messages=HELLO)
    assert caught.value.code == "DeploymentNotFound"
    oai = emu.openai_client()
    assert oai.chat.completions.create(model="support-bot", messages=HELLO).model == "gpt-4o-mini-2024-07-18"
    with pytest.raises(openai.NotFoundError) as caught:
        oai.chat.completions.create(model="gpt-4.1-nano", messages=HELLO)
    assert caught.value.code == "model_not_found"


def test_a_deployments_file_changes_the_served_set() -> None:
    with InProcessEmulator(deployments_file=str(FIXTURE)) as emu:
        check_fixture_deployments(emu)


def test_serve_prints_the_banner_and_serves_its_deployments_flag() -> None:
    with LiveEmulator(extra_args=("--deployments", str(FIXTURE))) as emu:
        check_fixture_deployments(emu)
        printed = emu.output().splitlines()
    assert f"  export AZURE_OPENAI_ENDPOINT={emu.endpoint}" in printed
    assert f"  export AZURE_OPENAI_API_KEY={emu.key}" in printed
    assert f"  export OPENAI_BASE_URL={emu.endpoint}/v1" in printed
    assert f"  export OPENAI_API_KEY={emu.key}" in printed


def test_inline_deployments_setting() -> None:
    inline = {"deployments": [{"name": "tiny", "model": "gpt-4.1-nano", "version": "2025-04-14"}]}
    with InProcessEmulator(deployments=inline) as emu:
        assert emu.azure_client().chat.completions.create(model="tiny", messages=HELLO).model == (
            "gpt-4.1-nano-2025-04-14"
        )
        with pytest.raises(openai.NotFoundError):
            emu.azure_client().chat.completions.create(model="gpt-4o", messages=HELLO)


def test_health_needs_no_key(emulator: Any) -> None:
    with emulator.http_client() as http:
        response = http.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_cli_manages_deployments_on_a_running_emulator(
    live_server: LiveEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live_server.reset()
    connection = ["--endpoint", live_server.endpoint, "--key", live_server.key]

    def deployments(*argv: str) -> tuple[int, Any]:
        code = main(["deployments", *argv, *connection])
        out, err = capsys.readouterr()
        return code, json.loads(out) if code == 0 else err

    settings = tmp_path / "settings.json"
    settings.write_text('{"note": "from a file"}')
    code, made = deployments("create", "--name", "mini", "--model", "gpt-4o-mini", "--version", "2024-07-18")
    assert code == 0 and (made["name"], made["model"], made["source"]) == ("mini", "gpt-4o-mini", "api")
    code, _ = deployments("create", "--name", "filed", "--model", "gpt-4o", "--settings", str(settings))
    assert code == 0
    code, inline = deployments("create", "--name", "inline", "--model", "gpt-4o", "--settings", '{"a": 1}')
    assert code == 0 and inline["settings"] == {"a": 1}

    code, listed = deployments("list")
    by_name = {d["name"]: d for d in listed["data"]}
    assert code == 0 and {"mini", "filed", "inline", "gpt-4o"} <= set(by_name)
    assert (
        by_name["filed"]["settings"] == {"note": "from a file"} and by_name["gpt-4o"]["source"] == "declared"
    )
    sdk = live_server.azure_client(api_version="2025-02-01-preview")
    answer = sdk.chat.completions.create(model="mini", messages=HELLO)
    assert answer.model == "gpt-4o-mini-2024-07-18"

    code, shown = deployments("get", "mini")
    assert code == 0 and shown["status"] == "succeeded"
    code, deleted = deployments("delete", "mini")
    assert code == 0 and deleted == {"name": "mini", "object": "deployment", "deleted": True}
    with pytest.raises(openai.NotFoundError) as gone:
        sdk.chat.completions.create(model="mini", messages=HELLO)
    assert gone.value.code == "DeploymentNotFound"

    # refusals print the service's message and the field it names
    code, err = deployments("create", "--name", "filed", "--model", "gpt-4o")
    assert code == 1 and "already exists" in err and "(param: name)" in err
    code, err = deployments("create", "--name", "x", "--model", "no-such-model")
    assert code == 1 and "(param: model)" in err
    code, err = deployments("delete", "gpt-4o")
    assert code == 1 and "declared" in err
    code, err = deployments("get", "mini")
    assert code == 1 and "mini" in err
    code, err = deployments("create", "--name", "x", "--model", "gpt-4o", "--settings", "{not json")
    assert code == 2 and "aoai-emulator deployments create" in err


def test_cli_deployments_says_when_the_emulator_is_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deployments", "list", "--endpoint", "http://127.0.0.1:9"]) == 2
    assert "cannot reach http://127.0.0.1:9" in capsys.readouterr().err


def test_serve_tunes_the_collector_once_started_and_before_the_first_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`serve` hands uvicorn an app whose start-up freezes what it built and raises the gen-0 threshold."""
    import asyncio
    import gc

    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(server: Any, sockets: Any = None) -> None:
        app = server.config.app

        async def start() -> None:
            async with app.router.lifespan_context(app):
                seen["threshold"], seen["frozen"] = gc.get_threshold(), gc.get_freeze_count()

        asyncio.run(start())

    before = gc.get_threshold()
    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    try:
        assert main(["serve", "--in-memory", "--port", "0"]) == 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert seen["threshold"][0] == 10_000
    assert seen["frozen"] > 0

"""Safe by default: file:// imports only inside a folder the operator names, served requests only for allowed
Host names (DNS rebinding), custom keys never printed, loopback binding by default."""

from __future__ import annotations

import http.server
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from emulator.cli.main import KEY_PLACEHOLDER, banner, main, parser
from emulator.http.hostcheck import HostCheck, host_name
from emulator.settings import DEFAULT_API_KEY, Settings
from emulator.testing import InProcessEmulator, LiveEmulator
from emulator.testing.intercept import Interception
from tests.fine_tuning_data import chat_lines
from tests.loopback import loopback_server

TRAINING = chat_lines(10)
IMPORT = "/openai/files/import?api-version=2025-04-01-preview"


def _import(emulator: Any, url: str) -> httpx.Response:
    body = {"purpose": "fine-tune", "filename": "train.jsonl", "content_url": url}
    with emulator.http_client() as http:
        response: httpx.Response = http.post(IMPORT, headers={"api-key": emulator.key}, json=body)
    return response


def _refused(response: httpx.Response, words: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["target"]) == ("fileImportFailed", "content_url")
    assert words in error["message"], error["message"]


# ---- file:// imports -------------------------------------------------------------------------------


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """(the import folder, a secret file beside it)."""
    imports = tmp_path / "imports"
    imports.mkdir()
    (imports / "train.jsonl").write_bytes(TRAINING)
    secret = tmp_path / "secret.txt"
    secret.write_text("AOAI_EMULATOR_API_KEYS=sekret\n")
    return imports, secret


def test_file_imports_are_refused_by_default(
    inprocess: InProcessEmulator, folders: tuple[Path, Path]
) -> None:
    imports, secret = folders
    for url in ((imports / "train.jsonl").as_uri(), secret.as_uri(), "file:///proc/self/environ"):
        _refused(_import(inprocess, url), "--import-dir")
    assert list(inprocess.azure_client().files.list()) == []


def test_a_file_inside_the_import_folder_is_imported(
    aoai_emulator_portal: Any, folders: tuple[Path, Path]
) -> None:
    imports, _ = folders
    with InProcessEmulator(portal=aoai_emulator_portal, import_dir=str(imports)) as emulator:
        response = _import(emulator, (imports / "train.jsonl").as_uri())
        assert response.status_code == 201, response.text
        assert emulator.azure_client().files.content(response.json()["id"]).read() == TRAINING


def test_nothing_outside_the_import_folder_is_read(
    aoai_emulator_portal: Any, folders: tuple[Path, Path]
) -> None:
    imports, secret = folders
    (imports / "link.txt").symlink_to(secret)
    (imports / "linked-folder").symlink_to(secret.parent)
    outside = [
        secret.as_uri(),
        f"file://{imports}/../secret.txt",
        f"file://{imports}/%2e%2e/secret.txt",
        (imports / "link.txt").as_uri(),
        (imports / "linked-folder" / "secret.txt").as_uri(),
        "file:///proc/self/environ",
        "file:///etc/passwd",
        imports.as_uri(),
    ]
    with InProcessEmulator(portal=aoai_emulator_portal, import_dir=str(imports)) as emulator:
        for url in outside:
            _refused(_import(emulator, url), "outside the import folder")
        _refused(_import(emulator, f"file://{imports}/missing.jsonl"), "not a file in the import folder")
        assert list(emulator.azure_client().files.list()) == []


def test_the_import_folder_is_an_option_and_cannot_be_set_by_a_reset(
    inprocess: InProcessEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert parser().parse_args(["serve", "--import-dir", "/data"]).import_dir == "/data"
    assert Settings.from_env({"AOAI_EMULATOR_IMPORT_DIR": "/data"}).import_dir == "/data"
    assert Settings().import_dir is None
    assert main(["serve", "--in-memory", "--import-dir", str(tmp_path / "absent")]) == 2
    assert "not a folder" in capsys.readouterr().err
    with inprocess.http_client() as http:
        response = http.post("/_emulator/reset", headers={"api-key": inprocess.key}, json={"import_dir": "/"})
    assert response.status_code == 400 and response.json()["error"]["param"] == "import_dir"


@pytest.fixture
def redirecting_site() -> Iterator[str]:
    """A loopback HTTP server whose every path redirects to a host on the internet."""

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with loopback_server(Redirect) as url:
        yield url


def test_a_loopback_url_may_not_redirect_off_the_machine(
    inprocess: InProcessEmulator, redirecting_site: str
) -> None:
    _refused(_import(inprocess, redirecting_site + "/train.jsonl"), "follows redirects only to")


# ---- Host allow-list -------------------------------------------------------------------------------


def _raw(server: LiveEmulator, path: str, host: str) -> httpx.Response:
    with httpx.Client(base_url=server.endpoint) as http:
        response: httpx.Response = http.get(
            path, headers={"host": host, "api-key": server.key, "authorization": f"Bearer {server.key}"}
        )
    return response


def test_a_served_emulator_refuses_foreign_host_names(live_server: LiveEmulator) -> None:
    azure = _raw(live_server, "/openai/models?api-version=2025-04-01-preview", "rebind.attacker.example")
    assert azure.status_code == 421
    assert azure.json()["error"]["code"] == "invalidHost"
    assert "--allowed-host rebind.attacker.example" in azure.json()["error"]["message"]
    openai_surface = _raw(live_server, "/v1/models", "rebind.attacker.example:8000")
    assert openai_surface.status_code == 421
    assert openai_surface.json()["error"]["code"] == "invalid_host"
    assert _raw(live_server, "/health", "localhost.attacker.example").status_code == 421


def test_a_served_emulator_answers_loopback_names_and_addresses(live_server: LiveEmulator) -> None:
    port = live_server.port
    for host in ("localhost", f"localhost:{port}", "127.0.0.1", "127.8.9.10:80", "[::1]", f"[::1]:{port}"):
        assert _raw(live_server, "/v1/models", host).status_code == 200, host


def test_allowed_hosts_widen_the_list() -> None:
    assert parser().parse_args(["serve", "--allowed-host", "a", "--allowed-host", "b"]).allowed_host == [
        "a",
        "b",
    ]
    assert Settings.from_env({"AOAI_EMULATOR_ALLOWED_HOSTS": "a, b"}).allowed_hosts == ("a", "b")
    with LiveEmulator(extra_args=("--allowed-host", "emulator.test")) as server:
        assert _raw(server, "/v1/models", "emulator.test:8000").status_code == 200
        assert _raw(server, "/v1/models", "Emulator.Test").status_code == 200
        assert _raw(server, "/v1/models", "other.test").status_code == 421


def test_the_host_check_in_isolation() -> None:
    assert [host_name(h) for h in ("LocalHost:80", "[::1]:8000", "[::1]", "::1", "a.b", "127.0.0.1")] == [
        "localhost",
        "::1",
        "::1",
        "::1",
        "a.b",
        "127.0.0.1",
    ]
    check = HostCheck(lambda *_: None, (), bind_host="10.0.0.5")
    assert check.allows(b"10.0.0.5:8000") and check.allows(b"127.0.0.1") and not check.allows(b"10.0.0.6")
    assert not HostCheck(lambda *_: None, (), bind_host="0.0.0.0").allows(b"0.0.0.0")
    assert HostCheck(lambda *_: None, ("*",)).allow_any


def test_in_process_clients_for_any_host_still_reach_the_emulator(inprocess: InProcessEmulator) -> None:
    with Interception(inprocess):
        client = openai.AzureOpenAI(
            azure_endpoint="https://contoso.openai.azure.com",
            api_key=inprocess.key,
            api_version="2025-04-01-preview",
            max_retries=0,
        )
        reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
        assert reply.object == "chat.completion"


# ---- keys and binding ------------------------------------------------------------------------------


def test_the_banner_prints_only_the_development_key() -> None:
    default = banner(Settings(), "127.0.0.1", 8000)
    assert f"export AZURE_OPENAI_API_KEY={DEFAULT_API_KEY}" in default and "well-known" in default
    for settings in (
        Settings(api_keys=("sekret-1", "sekret-2")),
        Settings.from_env({"AOAI_EMULATOR_API_KEYS": "sekret-1,sekret-2"}),
    ):
        text = banner(settings, "127.0.0.1", 8000)
        assert "sekret" not in text and f"export OPENAI_API_KEY={KEY_PLACEHOLDER}" in text


def test_the_banner_of_a_public_bind_says_hosts_must_be_allowed() -> None:
    public = banner(Settings(), "0.0.0.0", 8000)
    assert "--allowed-host" in public and "loopback" in public
    assert "--allowed-host" not in banner(Settings(), "127.0.0.1", 8000)
    assert "--allowed-host" not in banner(Settings(allowed_hosts=("*",)), "0.0.0.0", 8000)


def test_serve_binds_to_loopback_by_default() -> None:
    assert parser().parse_args(["serve"]).host == "127.0.0.1"
    assert Settings().host == "127.0.0.1"


def test_a_served_emulator_never_prints_a_custom_key() -> None:
    """The banner of a real `serve` given keys on its command line and in its environment."""
    import subprocess
    import sys

    from emulator.testing import free_port

    port = free_port()
    env = {**os.environ, "AOAI_EMULATOR_API_KEYS": "sekret-env-key", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--in-memory",
            "--port",
            str(port),
            "--api-key",
            "sekret-cli",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        banner_lines = [first] + [process.stdout.readline().decode() for _ in range(9)]
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
    text = "".join(banner_lines)
    assert "aoai-emulator listening" in text and KEY_PLACEHOLDER in text
    assert "sekret" not in text

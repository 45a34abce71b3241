"""The README's CI recipe that needs nothing but Python: it starts the server, waits for health, and a
client's tests (here a Python one) reach it through the four environment variables it exports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from emulator.testing import free_port

ROOT = Path(__file__).resolve().parents[1]
CLIENT = (
    "import openai; "
    "reply = openai.AzureOpenAI(api_version='2025-02-01-preview', max_retries=0).chat.completions.create("
    "model='gpt-4o', messages=[{'role': 'user', 'content': 'Hi'}], store=True); "
    "listed = openai.OpenAI(max_retries=0).chat.completions.list(); "
    "print([c.id for c in listed] == [reply.id])"
)


def recipe() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"nothing but Python \(no curl\).*?```sh\n(.*?)```", text, re.S)
    assert found, "README.md lost its Python-only CI recipe"
    return found.group(1)


def test_the_python_only_recipe_serves_a_clients_tests() -> None:
    script = recipe()
    assert "PORT=8000\n" in script and "your-test-command\n" in script
    script = (
        script.replace("PORT=8000\n", f"PORT={free_port()}\n")
        .replace("python -m pip install aoai-emulator\n", "")  # installed already
        .replace("your-test-command\n", f"python -c {CLIENT!r}\nstatus=$?\nkill $!\nexit $status\n")
    )
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(
        ["bash", "-c", script.replace("python ", f"{sys.executable} ")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("True")

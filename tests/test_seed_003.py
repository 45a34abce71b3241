"""Seed 003's legacy fine-tuning walk-through, run as written against a live emulator.

Its Python blocks are read from the seed text at test time: upload, create, check the status, analyse
(download results.csv). Deploying and calling the model belong to the deployments API. Only the two
placeholders are filled in. The script polls with `time.sleep(2)`; here its `time.sleep` moves the
emulator's clock instead of waiting, so the job finishes in simulated minutes and no real time passes.
"""

from __future__ import annotations

import builtins
import csv
import re
import time
import types
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import LiveEmulator

SECTIONS = (
    "Upload your training data",
    "Create a customized model",
    "Check the status of your customized model",
    "Analyze your customized model",
)


def python_blocks(text: str, section: str) -> list[str]:
    """The ```python blocks under `## section`, up to the next `## ` heading."""
    start = text.index(f"## {section}\n")
    end = text.find("\n## ", start + 1)
    part = text[start : end if end != -1 else len(text)]
    return re.findall(r"^```python\n(.*?)^```", part, flags=re.S | re.M)


def seed_script(shared_dir: Path, endpoint: str, key: str) -> str:
    text = (shared_dir / "seeds" / "003_3fc7dab00533f088.txt").read_text(encoding="utf-8")
    blocks = [block for section in SECTIONS for block in python_blocks(text, section)]
    assert len(blocks) == 4, "seed 003 changed: expected one Python block in each section"
    script = "\n".join(blocks)
    for placeholder, value in (
        ('"<your-resource-key>"', repr(key)),
        ('"<your-resource-endpoint>"', repr(endpoint + "/")),
    ):
        assert script.count(placeholder) == 1
        script = script.replace(placeholder, value)
    return script


def simulated_time(server: LiveEmulator) -> types.ModuleType:
    """`time`, except that sleeping advances the emulator's clock."""
    module = types.ModuleType("time")
    module.__dict__.update(vars(time))
    module.sleep = server.advance  # type: ignore[attr-defined]
    return module


def run(script: str, server: LiveEmulator) -> dict[str, Any]:
    fake_time = simulated_time(server)
    real_import = builtins.__import__

    def importer(name: str, *args: Any, **kwargs: Any) -> Any:
        return fake_time if name == "time" else real_import(name, *args, **kwargs)

    namespace: dict[str, Any] = {
        "__builtins__": {**vars(builtins), "__import__": importer},
        "__name__": "seed_003",
    }
    exec(compile(script, "seed_003", "exec"), namespace)
    return namespace


def test_seed_003_script_trains_curie_and_downloads_results(
    live_server: LiveEmulator, shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # Sixty times faster: the five simulated minutes of this job pass in a handful of two-second polls.
    live_server.reset(fine_tuning_speed=60)
    monkeypatch.chdir(tmp_path)
    before = live_server.now()
    namespace = run(seed_script(shared_dir, live_server.endpoint, live_server.key), live_server)
    output = capsys.readouterr().out

    assert namespace["status"] == "succeeded"
    assert f"Fine-tuning model with job ID: {namespace['job_id']}." in output
    assert "Job not in terminal status: notRunning. Waiting." in output
    assert "Status: running" in output and "Status: succeeded" in output
    assert "Found 1 fine-tune jobs." in output
    assert live_server.now() > before  # the polls moved the clock, not the wall
    assert namespace["result_file_name"] == "results.csv"
    with open(tmp_path / "results.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "step",
        "elapsed_tokens",
        "elapsed_examples",
        "training_loss",
        "training_sequence_accuracy",
        "training_token_accuracy",
        "validation_loss",
        "validation_sequence_accuracy",
        "validation_token_accuracy",
    ]
    # the script asks for 4 epochs at batch size 1 over its three examples, validated on the same three
    assert len(rows) - 1 == 12
    assert all(cell != "" for row in rows[1:] for cell in row)

"""Seed 003's legacy fine-tuning walk-through, run end to end against a live emulator.

Its Python blocks are read from the seed text at test time: upload, create, check the status, deploy, use
the deployed model, analyse (download results.csv), and the three clean-up blocks (delete the deployment,
the customized model, the files). Only the two placeholders are filled in, and the use block's misplaced
completion path is corrected (a separate test runs it as written). The script polls with `time.sleep(2)`;
here its `time.sleep` moves the emulator's clock instead of waiting, so the job finishes in simulated
minutes and no real time passes.
"""

from __future__ import annotations

import builtins
import csv
import re
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from emulator.resource.deployments import READY_SECONDS
from emulator.testing import LiveEmulator

TRAIN = (
    "Upload your training data",
    "Create a customized model",
    "Check the status of your customized model",
)
DEPLOY = "Deploy a customized model"  # its REST API block; the Azure CLI block is a console block
USE = "Use a deployed customized model"
ANALYZE = "Analyze your customized model"
CLEAN_UP = "Clean up your deployments, customized models, and training files"
BLOCKS = {**dict.fromkeys((*TRAIN, DEPLOY, USE, ANALYZE), 1), CLEAN_UP: 3}
# The use block posts to the deployment itself; completions live one segment further down.
TYPO = "api_base + 'openai/deployments/' + deployment_id,"
CORRECTED = "api_base + 'openai/deployments/' + deployment_id + '/completions',"
LEGACY = {"api-version": "2023-05-15"}
LISTS = ("deployments", "fine-tunes", "files", "models")  # what the clean-up leaves, listed


def python_blocks(text: str, section: str) -> list[str]:
    """The ```python blocks under `## section`, up to the next `## ` heading."""
    start = text.index(f"## {section}\n")
    end = text.find("\n## ", start + 1)
    part = text[start : end if end != -1 else len(text)]
    return re.findall(r"^```python\n(.*?)^```", part, flags=re.S | re.M)


def seed_blocks(shared_dir: Path, endpoint: str, key: str) -> dict[str, list[str]]:
    """Each section's Python blocks, with the placeholders of the first one filled in."""
    text = (shared_dir / "seeds" / "003_3fc7dab00533f088.txt").read_text(encoding="utf-8")
    blocks = {section: python_blocks(text, section) for section in BLOCKS}
    assert {s: len(b) for s, b in blocks.items()} == BLOCKS, "seed 003 changed its Python blocks"
    (upload,) = blocks[TRAIN[0]]
    for placeholder, value in (
        ('"<your-resource-key>"', repr(key)),
        ('"<your-resource-endpoint>"', repr(endpoint + "/")),
    ):
        assert upload.count(placeholder) == 1
        upload = upload.replace(placeholder, value)
    blocks[TRAIN[0]] = [upload]
    return blocks


def corrected(use_block: str) -> str:
    assert use_block.count(TYPO) == 1, "seed 003's use block changed its completion call"
    return use_block.replace(TYPO, CORRECTED)


def simulated_time(server: LiveEmulator) -> types.ModuleType:
    """`time`, except that sleeping advances the emulator's clock."""
    module = types.ModuleType("time")
    module.__dict__.update(vars(time))
    module.sleep = server.advance  # type: ignore[attr-defined]
    return module


class Seed:
    """Seed 003's script, run a piece at a time in one namespace, as one script against `server`."""

    def __init__(self, server: LiveEmulator, shared_dir: Path) -> None:
        self.server = server
        self.blocks = seed_blocks(shared_dir, server.endpoint, server.key)
        fake_time = simulated_time(server)
        real_import = builtins.__import__

        def importer(name: str, *args: Any, **kwargs: Any) -> Any:
            return fake_time if name == "time" else real_import(name, *args, **kwargs)

        # The script hands `open(...)` to the SDK and never closes it, as scripts do; the test closes them.
        self.opened: list[IO[Any]] = []

        def recording_open(*args: Any, **kwargs: Any) -> IO[Any]:
            handle: IO[Any] = open(*args, **kwargs)  # noqa: SIM115 - closed by close()
            self.opened.append(handle)
            return handle

        self.namespace: dict[str, Any] = {
            "__builtins__": {**vars(builtins), "__import__": importer, "open": recording_open},
            "__name__": "seed_003",
        }

    def close(self) -> None:
        while self.opened:
            self.opened.pop().close()

    def __getitem__(self, name: str) -> Any:
        return self.namespace[name]

    def run(self, code: str) -> None:
        exec(compile(code, "seed_003", "exec"), self.namespace)

    def run_sections(self, *sections: str) -> None:
        self.run("\n".join(block for section in sections for block in self.blocks[section]))

    def train_and_deploy(self) -> None:
        """Upload, fine-tune, wait for the job, deploy; then wait for the deployment, as a user does."""
        self.run_sections(*TRAIN, DEPLOY)
        with self.server.http_client() as http:
            started = http.get(
                f"/openai/deployments/{self['deployment_id']}", params=LEGACY, headers=self.key
            )
        assert started.json()["status"] == "notRunning"
        # The deploy block does not wait for the deployment to be ready: a user waits before using it, and
        # here the emulator's clock moves by the deployments' ready time instead.
        self.server.advance(READY_SECONDS)

    @property
    def key(self) -> dict[str, str]:
        return {"api-key": self.server.key}


@pytest.fixture
def seed(
    live_server: LiveEmulator, shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Seed]:
    # Sixty times faster: the five simulated minutes of this job pass in a handful of two-second polls.
    live_server.reset(fine_tuning_speed=60)
    monkeypatch.chdir(tmp_path)
    seed = Seed(live_server, shared_dir)
    try:
        yield seed
    finally:
        seed.close()


def test_seed_003_script_runs_end_to_end(seed: Seed, tmp_path: Path, capsys: Any) -> None:
    before = seed.server.now()
    seed.train_and_deploy()
    output = capsys.readouterr().out

    assert seed["status"] == "succeeded"
    assert f"Fine-tuning model with job ID: {seed['job_id']}." in output
    assert "Job not in terminal status: notRunning. Waiting." in output
    assert "Status: running" in output and "Status: succeeded" in output
    assert "Found 1 fine-tune jobs." in output
    assert seed.server.now() > before  # the polls moved the clock, not the wall
    model, deployment_id = seed["model"], seed["deployment_id"]
    assert re.fullmatch(r"curie\.ft-[0-9a-f]{32}", model), model
    assert re.fullmatch(r"deployment-[0-9a-f]{32}", deployment_id), deployment_id
    assert f"Creating a new deployment with model: {model}\n" in output

    (use,) = seed.blocks[USE]
    seed.run(corrected(use))
    printed = capsys.readouterr().out
    assert seed["r"].status_code == 200, seed["r"].text
    assert seed["r"].json()["model"] == model
    text = seed["text"]
    assert text and printed == f'Sending a test completion job\n"When I go to the store, I want a {text}"\n'

    seed.run_sections(ANALYZE)
    assert seed["result_file_name"] == "results.csv"
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

    delete_deployment, delete_model, delete_files = seed.blocks[CLEAN_UP]
    capsys.readouterr()
    seed.run(delete_deployment)
    assert seed["r"].status_code == 204
    seed.run(delete_model)
    assert seed["r"].status_code == 204
    seed.run(delete_files)
    assert seed["r"].status_code == 204
    assert capsys.readouterr().out == (
        f"Deleting model deployment ID: {deployment_id}\n"
        f"Deleting customized model ID: {seed['job_id']}\n"
        "Checking for existing uploaded files.\n"
        "Found 3 total uploaded files in the subscription.\n"
        "Found 3 already uploaded files that match our files\n"
        "Deleting already uploaded files.\n"
    )
    deleted = {seed["training_id"], seed["validation_id"], seed["result_file_id"]}
    assert set(seed["results"]) == deleted

    with seed.server.http_client() as http:
        gone = [
            http.get(path, params=LEGACY, headers=seed.key)
            for path in (
                f"/openai/deployments/{deployment_id}",
                f"/openai/fine-tunes/{seed['job_id']}",
                f"/openai/models/{model}",
                *(f"/openai/files/{file_id}" for file_id in sorted(deleted)),
            )
        ]
        listed = [
            http.get(f"/openai/{what}", params=LEGACY, headers=seed.key).json()["data"] for what in LISTS
        ]
    assert [response.status_code for response in gone] == [404] * 6
    assert listed[:3] == [[], [], []]
    assert model not in {m["id"] for m in listed[3]}


def test_seed_003_use_block_as_written_gets_the_path_to_post_to(seed: Seed) -> None:
    seed.train_and_deploy()
    (use,) = seed.blocks[USE]
    assert use.count(TYPO) == 1
    call, _, rest = use.partition("\ntext = ")
    seed.run(call)

    response, deployment_id = seed["r"], seed["deployment_id"]
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "404"
    assert f"There is no POST operation at /openai/deployments/{deployment_id}." in error["message"]
    assert f"POST to /openai/deployments/{deployment_id}/completions (a prompt)" in error["message"]
    # the script then reads a completion the error does not have
    with pytest.raises(KeyError, match="choices"):
        seed.run("text = " + rest)

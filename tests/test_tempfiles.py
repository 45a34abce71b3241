"""An in-memory emulator keeps its files' content in a temporary folder, and takes it away when it closes:
in-process or served, after resets, and once collected when nobody closed it."""

from __future__ import annotations

import gc
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import InProcessEmulator, LiveEmulator
from tests.fine_tuning_data import chat_lines

TRAINING = chat_lines(10)


def _folders(root: Path) -> list[Path]:
    return sorted(root.glob("aoai-emulator-files-*"))


def _upload(emulator: Any) -> None:
    emulator.openai_client().files.create(file=("train.jsonl", TRAINING), purpose="fine-tune")


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory of this test's own, for this process and the servers it starts."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    return tmp_path


def test_an_in_process_emulator_removes_its_folder_on_reset_and_close(
    temp_root: Path, aoai_emulator_portal: Any
) -> None:
    with InProcessEmulator(portal=aoai_emulator_portal) as emulator:
        _upload(emulator)
        [first] = _folders(temp_root)
        assert len(list(first.iterdir())) == 1
        emulator.reset()
        _upload(emulator)
        [second] = _folders(temp_root)
        assert second != first
    assert _folders(temp_root) == []


def test_a_served_emulator_removes_its_folder_when_it_stops(temp_root: Path) -> None:
    with LiveEmulator() as server:
        _upload(server)
        server.reset()
        _upload(server)
        assert len(_folders(temp_root)) == 1
    assert _folders(temp_root) == []


def test_an_emulator_nobody_closes_leaves_no_folder_once_collected(
    temp_root: Path, aoai_emulator_portal: Any
) -> None:
    emulator = InProcessEmulator(portal=aoai_emulator_portal)
    _upload(emulator)
    assert len(_folders(temp_root)) == 1
    del emulator
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # its database, unclosed too
        gc.collect()
    assert _folders(temp_root) == []

"""What `make serve` leaves in a checkout stays out of git: the database, its WAL files, and the folder of
uploaded files beside it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from emulator.resource.files import files_dir_for
from emulator.settings import default_db_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_the_served_database_and_its_files_are_ignored(suffix: str) -> None:
    database = Path(default_db_path()).name
    files = Path(files_dir_for(database) or "") / "file-0123456789abcdef"
    for path in (database + suffix, str(files)):
        ignored = subprocess.run(
            ["git", "-C", str(ROOT), "check-ignore", "--no-index", "-q", path], check=False
        )
        assert ignored.returncode == 0, f"{path} is not ignored by .gitignore"

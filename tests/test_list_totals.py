"""Azure's list `total` comes from running counts for one metadata pair or no filter: it must follow
every insert, metadata update and delete, and survive a restart of the database file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emulator.testing import InProcessEmulator
from tests.surfaces import client
from tests.test_stored_completions import extra, store


def totals(emulator: Any) -> tuple[int, int, int]:
    sdk = client(emulator, "azure").chat.completions
    return (
        extra(sdk.list(), "total"),
        extra(sdk.list(metadata={"team": "a"}), "total"),
        extra(sdk.list(metadata={"team": "b"}), "total"),
    )


def test_totals_follow_inserts_updates_and_deletes(emulator: Any) -> None:
    a = store(emulator, 3, metadata={"team": "a"})
    store(emulator, 2, metadata={"team": "b"})
    store(emulator, 1)
    assert totals(emulator) == (6, 3, 2)
    sdk = client(emulator, "openai").chat.completions
    sdk.update(a[0], metadata={"team": "b"})
    assert totals(emulator) == (6, 2, 3)
    sdk.update(a[1], metadata={"team": "a", "extra": "x"})  # same pair kept, another added
    assert totals(emulator) == (6, 2, 3)
    sdk.delete(a[1])
    sdk.delete(a[0])
    assert totals(emulator) == (4, 1, 2)
    sdk.delete(a[2])
    assert totals(emulator) == (3, 0, 2)


def test_totals_survive_a_restart(tmp_path: Path) -> None:
    db_path = str(tmp_path / "x.sqlite3")
    with InProcessEmulator(db_path=db_path) as first:
        store(first, 2, metadata={"team": "a"})
        store(first, 1, metadata={"team": "b"})
    with InProcessEmulator(db_path=db_path) as second:
        assert totals(second) == (3, 2, 1)

"""The README's pytest-plugin section: every example in it runs, as the test file it shows, and passes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
SECTION = re.compile(r"^### The pytest plugin\n(.*?)^### ", re.S | re.M)


def examples() -> list[str]:
    section = SECTION.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert section, "README.md has no '### The pytest plugin' section"
    return re.findall(r"```python\n(.*?)```", section.group(1), re.S)


def test_the_section_shows_each_fixture() -> None:
    text = "".join(examples())
    for name in (
        "aoai_emulator",
        "aoai_live_server",
        "@pytest.mark.aoai_emulator",
        "seed_stored_completions",
    ):
        assert name in text


def test_every_example_passes(pytester: pytest.Pytester) -> None:
    shutil.copytree(ROOT / "fixtures", pytester.path / "fixtures")
    found = examples()
    for n, source in enumerate(found):
        pytester.makepyfile(**{f"test_readme_example_{n}": source})
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(
        passed=sum(source.count("\ndef test_") + source.startswith("def test_") for source in found)
    )

"""The README's endpoint table is generated from the registered routes and must stay in step."""

from pathlib import Path

from emulator.app import all_operations
from emulator.cli.routes_table import BEGIN, END, table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_endpoint_table_matches_registered_routes() -> None:
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "README.md lost its endpoint table markers"
    current = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert current == table(all_operations()), (
        "README.md's endpoint table is out of date: regenerate it with `python -m emulator.cli.routes_table --write README.md`"
    )


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make serve" in text and "make test" in text


def test_every_schema_departure_is_explained_in_the_readme() -> None:
    from tests.test_model_conformance import DEPARTURES

    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Departures from the official schemas") :]
    missing = [d.name for d in DEPARTURES if f"**{d.name}.**" not in section]
    assert not missing, f"README's 'Departures from the official schemas' lacks: {missing}"

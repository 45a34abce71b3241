"""The package's shape: no import circles, counting imports under TYPE_CHECKING and inside functions.
The layering itself is import-linter's contracts in pyproject.toml, run by `make lint`."""

from __future__ import annotations

import grimp


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    graph = grimp.build_graph("emulator")
    circles = sorted(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    )
    assert circles == []


def test_the_layer_contracts_hold() -> None:
    from importlinter.api import read_configuration  # noqa: F401  (the contracts' reader is installed)
    from importlinter.cli import lint_imports

    assert lint_imports() == 0, "an import breaks a layer contract: run `lint-imports` to see which"

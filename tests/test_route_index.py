"""The indexed router picks exactly the route a plain in-order scan would, for every registered path
and method and for paths no route serves (which must fall through to the 404/405 answers)."""

from __future__ import annotations

import re

from starlette.routing import Match, Route

from emulator.app import create_app
from emulator.http.route_index import IndexedRouter, _key, route_path


def scanned(
    routes: list[Route], path: str, method: str, root_path: str = ""
) -> tuple[Route | None, Route | None]:
    """(first full match, first partial match) as Starlette's own loop finds them."""
    scope = {"type": "http", "path": path, "method": method, "root_path": root_path}
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route, partial
        if match is Match.PARTIAL and partial is None:
            partial = route
    return None, partial


def probes(routes: list[Route]) -> list[tuple[str, str]]:
    paths = {re.sub(r"\{[^}]+\}", "x1", route.path) for route in routes}
    paths |= {p + "/" for p in paths} | {"/", "/nope", "/openai/nope/x", "/v1/chat/completions/x1/nope"}
    methods = {m for route in routes for m in route.methods or ()} | {"PATCH"}
    return sorted((path, method) for path in paths for method in methods)


def test_the_index_finds_what_a_scan_finds() -> None:
    app = create_app()
    router = app.router
    assert isinstance(router, IndexedRouter)
    routes = [r for r in app.routes if isinstance(r, Route)]
    groups, rest = router._groups()
    for path, method in probes(routes):
        candidates = [r for r in groups.get(_key(path), rest).routes if isinstance(r, Route)]
        assert scanned(candidates, path, method) == scanned(routes, path, method), (method, path)


def test_below_a_root_path_the_index_finds_what_a_scan_finds() -> None:
    """Mounted at a root path (behind a proxy), ASGI's `path` starts with it and Starlette's routes
    match what follows; a path outside it is matched as it is."""
    app = create_app()
    router = app.router
    assert isinstance(router, IndexedRouter)
    routes = [r for r in app.routes if isinstance(r, Route)]
    groups, rest = router._groups()
    # "/openai" is also the first segment of the Azure routes: stripped once, not twice.
    for root_path in ("/proxy", "/openai"):
        for path, method in probes(routes):
            for full in (root_path + path, path, root_path + "x" + path):
                scope = {"type": "http", "path": full, "root_path": root_path}
                candidates = [
                    r for r in groups.get(_key(route_path(scope)), rest).routes if isinstance(r, Route)
                ]
                found = scanned(candidates, full, method, root_path)
                assert found == scanned(routes, full, method, root_path), (method, root_path, full)


def test_the_route_path_is_the_path_below_the_root_path() -> None:
    def below(root_path: str, path: str) -> str:
        return route_path({"type": "http", "path": path, "root_path": root_path})

    assert below("", "/v1/models") == "/v1/models"
    assert route_path({"type": "http", "path": "/v1/models"}) == "/v1/models"
    assert below("/proxy", "/proxy/v1/models") == "/v1/models"
    assert below("/proxy", "/proxy") == ""
    assert below("/proxy", "/proxyx/v1/models") == "/proxyx/v1/models"
    assert below("/proxy", "/v1/models") == "/v1/models"

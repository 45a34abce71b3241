"""A router that tries only the routes a path can match, by its depth and its first two segments.

Starlette tries every route in order and each try runs a regex. With every operation registered on
three surfaces, a request to the Azure dated surface (tried last) ran some seventy regexes: about a
fifth of the event loop's CPU per request. Routes are grouped by their number of segments (a
parameter matches exactly one) and their first two segments when those are literal; a route with a
parameter there, or one that may span segments, is kept in every group. Within a group the order is
the registered one, so which route answers, and the 404 and 405 answers, are unchanged.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, Router
from starlette.types import Receive, Scope, Send


def _key(path: str) -> str:
    return f"{path.count('/')}/" + "/".join(path.split("/", 3)[1:3])


def route_path(scope: Scope) -> str:
    """The path the routes see: ASGI's `path` includes the `root_path` the app is mounted at (behind a
    proxy, `--root-path`), which routes do not; a path outside the root path is taken as it is."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    return path[len(root_path) :] if path[len(root_path)] == "/" else path


def _literal_key(route: BaseRoute) -> str | None:
    """The route's depth and first two segments, or None when a parameter may stand there or the
    route may span segments."""
    if not isinstance(route, Route) or ":path}" in route.path:
        return None
    key = _key(route.path)
    return None if "{" in key else key


class IndexedRouter(Router):
    _cached: tuple[int, dict[str, Router], Router] | None = None

    def _groups(self) -> tuple[dict[str, Router], Router]:
        # Built on first use and again if routes were added since, so late additions are honoured.
        if self._cached is None or self._cached[0] != len(self.routes):
            keys = [_literal_key(route) for route in self.routes]
            literal = {key for key in keys if key is not None}
            groups = {
                key: Router(
                    [r for r, k in zip(self.routes, keys, strict=True) if k in (key, None)],
                    redirect_slashes=False,
                )
                for key in literal
            }
            rest = Router(
                [r for r, k in zip(self.routes, keys, strict=True) if k is None], redirect_slashes=False
            )
            self._cached = (len(self.routes), groups, rest)
        return self._cached[1], self._cached[2]

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.redirect_slashes:
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        groups, rest = self._groups()
        await groups.get(_key(route_path(scope)), rest).app(scope, receive, send)

"""Credentials: `api-key` or `Authorization: Bearer` on Azure routes, Bearer only on OpenAI routes."""

from __future__ import annotations

from collections.abc import Container, Mapping

from emulator.errors import Unauthorized
from emulator.settings import Settings
from emulator.surfaces import Surface


class AnyKey(Container[str]):
    """Every non-empty key: what an emulator that does not check keys accepts."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(key.strip())


ANY_KEY = AnyKey()


def accepted_keys(settings: Settings) -> Container[str]:
    """The keys requests may carry: the configured ones, or any non-empty one when keys are not checked."""
    return settings.api_keys if settings.check_api_keys else ANY_KEY


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else ""


def check(headers: Mapping[str, str], surface: Surface | None, keys: Container[str]) -> str:
    """Return the credential that was accepted; raise Unauthorized otherwise.

    On Azure routes any non-empty bearer token that is not a key counts as an Entra ID token, as the
    emulator has no directory to check it against."""
    bearer = _bearer(headers)
    if surface is None:  # the emulator's own routes take a key either way
        given = headers.get("api-key") or bearer
        if not given:
            raise Unauthorized(missing=True)
        if given in keys:
            return given
        raise Unauthorized(missing=False, key_hint=_hint(given))
    if surface.is_azure:
        api_key = headers.get("api-key")
        if api_key is not None:
            if api_key in keys:
                return api_key
            raise Unauthorized(missing=False, key_hint=_hint(api_key))
        if bearer:
            return bearer
        raise Unauthorized(missing=True)
    if bearer is None or bearer == "":
        raise Unauthorized(missing=True)
    if bearer in keys:
        return bearer
    raise Unauthorized(missing=False, key_hint=_hint(bearer))


def _hint(key: str) -> str:
    return key if len(key) <= 8 else f"{key[:3]}***{key[-4:]}"

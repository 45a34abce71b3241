"""Who may do what: keys and Entra ID tokens carry a role, and every operation needs a data action.

Roles, as Azure's role definitions grant data actions under `Microsoft.CognitiveServices/accounts/OpenAI/`:

- `contributor` (Cognitive Services OpenAI Contributor): every action (`OpenAI/*`).
- `user` (Cognitive Services OpenAI User): every read (`OpenAI/*/read`) but stored completions' (a
  NotDataAction of that role), and calling deployments (chat, completions, responses), which may store
  what they answer.
- `reader`: a custom read-only role holding only `OpenAI/stored-completions/read`.

A key's role is the one it was given (`serve --api-key KEY:ROLE`, the `key_roles` setting); a key given
none is a contributor, as every key is when nothing is configured. On Azure routes a bearer token that is
a JWT with a `roles` claim acts with those roles (by the names above or the built-in roles' display
names), as the principal its `oid` or `upn` names; its signature is not checked (`mint_token` makes one).
A principal without the operation's action gets the service's 401 `PermissionDenied`. The emulator's own
routes (`/_emulator/...`) take any key.
"""

from __future__ import annotations

import base64
import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.errors import ApiError
from emulator.guards import target
from emulator.surfaces import Family, Surface

if TYPE_CHECKING:
    from emulator.http.routing import Call, Finish

PREFIX = "Microsoft.CognitiveServices/accounts/OpenAI/"
CONTRIBUTOR, USER, READER = "contributor", "user", "reader"

# What each role grants, and what it withholds even so (Azure's NotDataActions).
ROLE_ACTIONS: dict[str, tuple[str, ...]] = {
    CONTRIBUTOR: ("*",),
    USER: (
        "*/read",
        "deployments/chat/completions/action",
        "deployments/completions/action",
        "responses/write",
        "stored-completions/action",
    ),
    READER: ("stored-completions/read",),
}
ROLE_WITHHOLDS: dict[str, tuple[str, ...]] = {
    # Since December 2024 the built-in User role reads everything but stored completions.
    USER: ("stored-completions/read",),
}
# The names a token's `roles` claim may use for each role.
ROLE_NAMES: dict[str, str] = {
    CONTRIBUTOR: CONTRIBUTOR,
    USER: USER,
    READER: READER,
    "cognitive services openai contributor": CONTRIBUTOR,
    "cognitive services openai user": USER,
    "openai stored completions reader": READER,
}

# Storing a chat completion's answer is an action of its own, beside calling the deployment.
STORE_COMPLETION = "stored-completions/action"


@dataclass(frozen=True)
class Principal:
    name: str
    roles: tuple[str, ...]

    def may(self, action: str) -> bool:
        return any(_grants(role, action) for role in self.roles)


def _grants(role: str, action: str) -> bool:
    def matches(patterns: Iterable[str]) -> bool:
        return any(fnmatch.fnmatchcase(action, PREFIX + pattern) for pattern in patterns)

    return matches(ROLE_ACTIONS.get(role, ())) and not matches(ROLE_WITHHOLDS.get(role, ()))


class PermissionDenied(ApiError):
    """401, as the service answers a principal without the operation's data action."""

    status = 401
    openai_code = None

    def __init__(self, principal: str, action: str, operation: str, scope: str) -> None:
        super().__init__(
            f"You have insufficient permissions for this operation. Missing scopes: {scope}. Check that you "
            "have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), "
            "and if you're using a restricted API key, that it has the necessary scopes."
        )
        self.azure_message = (
            f"The principal `{principal}` lacks the required data action `{action}` to perform `{operation}` "
            "operation."
        )

    def body(self, surface: Surface, family: Family) -> dict[str, Any]:
        if surface is Surface.OPENAI:
            return self.openai_body()
        return {"error": {"code": "PermissionDenied", "message": self.azure_message}}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint_token(
    roles: Iterable[str] = (CONTRIBUTOR,), *, oid: str | None = None, upn: str | None = None, **claims: Any
) -> str:
    """An Entra ID-shaped access token (a JWT, unsigned: the emulator reads it without checking) whose
    `roles` claim names the principal's roles and whose `oid` or `upn` names the principal."""
    payload: dict[str, Any] = {
        "aud": "https://cognitiveservices.azure.com",
        "iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
        "roles": list(roles),
        "oid": oid or "00000000-0000-0000-0000-0000000000e1",
        **claims,
    }
    if upn is not None:
        payload["upn"] = upn
    header = {"alg": "none", "typ": "JWT"}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}."


def token_claims(token: str) -> Mapping[str, Any] | None:
    """A JWT's claims, read without checking its signature; None for anything that is not one."""
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 16_384:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def _hint(key: str) -> str:
    return key if len(key) <= 8 else f"{key[:3]}***{key[-4:]}"


def principal(call: Call) -> Principal | None:
    """Who is calling, with which roles; None when nothing names a role (every key a contributor)."""
    headers = call.request.headers
    authorization = headers.get("authorization", "")
    scheme, _, bearer = authorization.partition(" ")
    bearer = bearer.strip() if scheme.lower() == "bearer" else ""
    key = headers.get("api-key") if call.surface is not None and call.surface.is_azure else None
    key_roles = call.runtime.settings.key_roles
    azure_token = key is None and call.surface is not None and call.surface.is_azure
    if azure_token and bearer and bearer not in key_roles:
        claims = token_claims(bearer)
        if claims is None or not isinstance(claims.get("roles"), list):
            return None
        names = [ROLE_NAMES.get(str(r).lower()) for r in claims["roles"]]
        who = claims.get("upn") or claims.get("oid") or claims.get("sub") or "unknown"
        return Principal(str(who), tuple(n for n in names if n is not None))
    credential = key if key is not None else bearer
    if not key_roles or credential not in key_roles:
        return None
    return Principal(_hint(credential), (key_roles[credential],))


def operation_text(call: Call) -> str:
    """`METHOD path`, the path as the surface's template (`/openai/deployments/{deployment-id}/...`)."""
    for surface, path in call.operation.paths:
        if surface is call.surface and surface is not None:
            shown = (surface.prefix + path).replace("{deployment_id}", "{deployment-id}")
            return f"{call.operation.method} {shown}"
    return f"{call.operation.method} {call.request.url.path}"


def _scope(action: str) -> str:
    area = action[len(PREFIX) :].split("/")[0]
    if action.endswith("/action"):
        return "model.request"
    return f"api.{area}.{'read' if action.endswith('/read') else 'write'}"


class Roles:
    """The guard: refuses an operation to a principal whose roles lack its data action."""

    def applies(self, call: Call) -> bool:
        # A role comes from the key_roles setting, or from an Entra token, which only Azure routes take.
        if call.operation.action is None or call.surface is None:
            return False
        return bool(call.runtime.settings.key_roles) or (
            call.surface.is_azure and "authorization" in call.request.headers
        )

    async def __call__(self, call: Call) -> Finish | None:
        who = principal(call)
        if who is None or call.operation.action is None:
            return None
        actions = [PREFIX + call.operation.action]
        if call.operation.name == "create_chat_completion":
            body = await target.body_json(call)
            if body is not None and body.get("store") is True:
                actions.append(PREFIX + STORE_COMPLETION)
        for action in actions:
            if not who.may(action):
                raise PermissionDenied(who.name, action, operation_text(call), _scope(action))
        return None

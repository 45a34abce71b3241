"""Per-deployment rate limits, counted as Azure OpenAI counts them (README: Testing failure).

A deployment's capacity is in units of 1,000 tokens per minute. Requests follow at 6 per minute per unit,
enforced over 10-second windows: `capacity` requests per 10 s. Each request is charged when it arrives,
with an estimate: its prompt (by characters, 4 to a token, as Azure estimates before tokenizing) plus the
answer it allows (`max_tokens` or `max_completion_tokens`, times `n`), or, when it sets neither, the
model's own ceiling on an answer. What it finally used changes nothing.

Windows are fixed spans of the emulator's clock (minutes for tokens, 10 seconds for requests, counted from
the epoch), so a simulated clock moves them when advanced and a wall clock in real time.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from emulator.errors import ApiError
from emulator.guards import target
from emulator.model.catalog import base_model
from emulator.resource.deployments import Deployment
from emulator.surfaces import Family, Surface

if TYPE_CHECKING:
    from emulator.db.database import Database
    from emulator.http.routing import Call, Finish

TOKEN_WINDOW = 60.0
REQUEST_WINDOW = 10.0
TOKENS_PER_UNIT = 1000
REQUESTS_PER_UNIT_PER_MINUTE = 6
CHARS_PER_TOKEN = 4
# The answer bound charged for a model the catalog does not bound, asked without max_tokens.
UNBOUNDED_ANSWER = 4096
# What the service names each operation in its 429 message.
_SERVICE_OPERATION = {
    "create_chat_completion": "ChatCompletions_Create",
    "create_completion": "Completions_Create",
    "create_response": "Responses_Create",
}
_QUOTA_LINK = "https://aka.ms/oai/quotaincrease"
_OPENAI_LINK = "https://platform.openai.com/account/rate-limits"


@dataclass(frozen=True)
class Estimate:
    tokens: int
    bounded: bool  # the request set its own answer bound: one larger than the limit is refused outright


def _text_chars(value: Any, depth: int = 0) -> int:
    """Characters of text in a message's content, a prompt or an input: strings, and `text` of parts."""
    if isinstance(value, str):
        return len(value)
    if depth > 8:
        return 0
    if isinstance(value, list):
        return sum(_text_chars(item, depth + 1) for item in value)
    if isinstance(value, Mapping):
        return sum(_text_chars(value.get(key), depth + 1) for key in ("content", "text", "input"))
    return 0


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def estimate(body: Mapping[str, Any], deployment: Deployment) -> Estimate:
    """The tokens a request is charged on arrival."""
    chars = sum(_text_chars(body.get(key)) for key in ("messages", "prompt", "input", "instructions"))
    prompt = math.ceil(chars / CHARS_PER_TOKEN)
    answers = _whole(body.get("n")) or _whole(body.get("best_of")) or 1
    asked = next(
        (
            found
            for key in ("max_completion_tokens", "max_tokens", "max_output_tokens")
            if (found := _whole(body.get(key))) is not None
        ),
        None,
    )
    if asked is not None:
        return Estimate(prompt + asked * answers, bounded=True)
    model = base_model(deployment.model_name) or base_model(deployment.model)
    ceiling = model.max_output_tokens if model is not None and model.max_output_tokens else UNBOUNDED_ANSWER
    return Estimate(prompt + ceiling * answers, bounded=False)


@dataclass
class _Window:
    start: float
    used: int = 0


@dataclass(frozen=True)
class Standing:
    """Where a deployment stands after a request was charged, or refused."""

    token_limit: int
    request_limit: int  # per 10-second window
    tokens_left: int
    requests_left: int
    tokens_reset: float  # seconds until the token window ends
    requests_reset: float

    @property
    def requests_per_minute(self) -> int:
        return self.request_limit * REQUESTS_PER_UNIT_PER_MINUTE


class Limiter:
    """The windows of every deployment with a capacity. Shared by requests on any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _Window] = {}

    def _window(self, deployment: str, kind: str, length: float, now: float) -> _Window:
        start = math.floor(now / length) * length
        window = self._windows.get((deployment, kind))
        if window is None or window.start != start:
            window = self._windows[(deployment, kind)] = _Window(start)
        return window

    def charge(
        self, deployment: str, capacity: int, cost: Estimate, now: float
    ) -> tuple[Standing, str | None]:
        """Charge the request, or name why not: `too_large`, `requests` or `tokens`."""
        token_limit = capacity * TOKENS_PER_UNIT
        request_limit = capacity * REQUESTS_PER_UNIT_PER_MINUTE * int(REQUEST_WINDOW) // 60
        with self._lock:
            tokens = self._window(deployment, "tokens", TOKEN_WINDOW, now)
            requests = self._window(deployment, "requests", REQUEST_WINDOW, now)
            # An unbounded request is not refused on its own: it reserves at most the whole limit.
            charged = cost.tokens if cost.bounded else min(cost.tokens, token_limit)
            refusal: str | None = None
            if cost.bounded and cost.tokens > token_limit:
                refusal = "too_large"
            elif requests.used + 1 > request_limit:
                refusal = "requests"
            elif tokens.used + charged > token_limit:
                refusal = "tokens"
            else:
                tokens.used += charged
                requests.used += 1
            standing = Standing(
                token_limit,
                request_limit,
                token_limit - tokens.used,
                request_limit - requests.used,
                tokens.start + TOKEN_WINDOW - now,
                requests.start + REQUEST_WINDOW - now,
            )
        return standing, refusal

    def used(self, deployment: str, kind: str) -> int:
        with self._lock:
            window = self._windows.get((deployment, kind))
            return window.used if window else 0


def openai_duration(seconds: float) -> str:
    """OpenAI's `x-ratelimit-reset-*` form: `6m0s`, `1s`, `12ms`."""
    millis = max(0, math.ceil(seconds * 1000))
    if millis < 1000:
        return f"{millis}ms"
    minutes, rest = divmod(millis / 1000, 60)
    shown = f"{rest:.3f}".rstrip("0").rstrip(".")
    return f"{int(minutes)}m{shown}s" if minutes else f"{shown}s"


def headers(standing: Standing, surface: Surface | None) -> dict[str, str]:
    found = {
        "x-ratelimit-remaining-requests": str(standing.requests_left),
        "x-ratelimit-remaining-tokens": str(standing.tokens_left),
    }
    if surface is Surface.OPENAI:
        found.update(
            {
                "x-ratelimit-limit-requests": str(standing.requests_per_minute),
                "x-ratelimit-limit-tokens": str(standing.token_limit),
                "x-ratelimit-reset-requests": openai_duration(standing.requests_reset),
                "x-ratelimit-reset-tokens": openai_duration(standing.tokens_reset),
            }
        )
    return found


class RateLimited(ApiError):
    """429, in the surface's own words: Azure's operation-and-tier sentence, OpenAI's Limit/Used/Requested."""

    status = 429
    openai_code = "rate_limit_exceeded"

    def __init__(self, azure_message: str, openai_message: str, kind: str, headers: dict[str, str]) -> None:
        super().__init__(openai_message, headers=headers)
        self.azure_message = azure_message
        self.openai_type = kind

    def body(self, surface: Surface, family: Family) -> dict[str, Any]:
        if surface is Surface.OPENAI:
            return self.openai_body()
        return {"error": {"code": "429", "message": self.azure_message}}


def refusal(
    call: Call, deployment: Deployment, standing: Standing, reason: str, cost: Estimate, used: int
) -> RateLimited:
    wait = standing.requests_reset if reason == "requests" else standing.tokens_reset
    retry_headers = headers(standing, call.surface)
    model = deployment.model_name
    if reason == "too_large":
        message = (
            f"Request too large for {model} in organization org-emulator on tokens per min (TPM): Limit "
            f"{standing.token_limit}, Requested {cost.tokens}. The input or output tokens must be reduced in "
            f"order to run successfully. Visit {_OPENAI_LINK} to learn more."
        )
        return RateLimited(message, message, "tokens", retry_headers)
    retry_headers["retry-after"] = str(max(1, math.ceil(wait)))
    retry_headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
    version = str(call.api_version) if call.api_version is not None else "v1"
    operation = _SERVICE_OPERATION.get(call.operation.name, call.operation.name)
    limit_kind = "call rate limit" if reason == "requests" else "token rate limit"
    azure = (
        f"Requests to the {operation} Operation under Azure OpenAI API version {version} have exceeded "
        f"{limit_kind} of your current OpenAI S0 pricing tier. Please retry after {retry_headers['retry-after']} "
        f"seconds. Please go here: {_QUOTA_LINK} if you would like to further increase the default rate limit."
    )
    kind, per, limit, requested = (
        ("requests", "RPM", standing.requests_per_minute, 1)
        if reason == "requests"
        else ("tokens", "TPM", standing.token_limit, cost.tokens)
    )
    openai = (
        f"Rate limit reached for {model} in organization org-emulator on {kind} per min ({per}): Limit "
        f"{limit}, Used {used}, Requested {requested}. Please try again in {openai_duration(wait)}. "
        f"Visit {_OPENAI_LINK} to learn more."
    )
    return RateLimited(azure, openai, kind, retry_headers)


def with_headers(found: Mapping[str, str]) -> Finish:
    encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in found.items()]

    def finish(response: Response) -> Response:
        response.raw_headers.extend(encoded)
        return response

    return finish


def _fresh_limiter(db: Database) -> Limiter:
    return Limiter()


class RateLimits:
    """The guard: charges inference requests to deployments that have a capacity (their own `sku`, or the
    emulator's `default_capacity`); everything else passes untouched."""

    def applies(self, call: Call) -> bool:
        if call.operation.name not in target.INFERENCE:
            return False
        if call.runtime.settings.default_capacity is not None:
            return True
        return any(d.capacity for d in call.runtime.deployments.all())

    async def __call__(self, call: Call) -> Finish | None:
        default = call.runtime.settings.default_capacity
        deployment = await target.deployment(call)
        if deployment is None:
            return None
        capacity = deployment.capacity or default
        body = await target.body_json(call)
        if capacity is None or body is None:
            return None
        cost = estimate(body, deployment)
        limiter = call.runtime.store(_fresh_limiter)  # kept with the emulator's state: a reset starts afresh
        standing, reason = limiter.charge(deployment.name, capacity, cost, call.runtime.clock.now())
        if reason is not None:
            used = limiter.used(deployment.name, "requests" if reason == "requests" else "tokens")
            raise refusal(call, deployment, standing, reason, cost, used)
        return with_headers(headers(standing, call.surface))

"""Emulator-only routes (not part of any service): health, reset, the clock, and state inspection."""

from __future__ import annotations

from starlette.responses import Response

from emulator import __version__
from emulator.api.extensions.schemas import LATEST_TIME, AdvanceClock, ResetRequest
from emulator.control.api import (
    ADVANCE_PATH,
    CLOCK_PATH,
    HEALTH_PATH,
    RESET_PATH,
    SETTLE_PATH,
    STATE_PATH,
)
from emulator.errors import InvalidRequest
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_body, parse_json_object, validate
from emulator.resource.deployments import DeploymentFileError


async def health(call: Call) -> Response:
    return json_response({"status": "ok", "version": __version__})


async def reset(call: Call) -> Response:
    raw = await call.body()
    request = validate(ResetRequest, parse_json_object(raw) if raw.strip() else {})
    try:
        await call.runtime.reset(**request.overrides())
    except DeploymentFileError as exc:
        raise InvalidRequest(f"Invalid 'deployments': {exc}", param="deployments") from None
    return json_response({"status": "reset", "now": call.runtime.clock.now()})


async def settle_jobs(call: Call) -> Response:
    """Advance the clock to when every fine-tuning job that can finish has finished (paused ones cannot)."""
    before = call.runtime.clock.now()
    now = await call.runtime.settle_jobs()
    return json_response({"now": now, "advanced": now - before})


async def get_clock(call: Call) -> Response:
    return json_response({"now": call.runtime.clock.now()})


async def advance_clock(call: Call) -> Response:
    request, _ = parse_body(AdvanceClock, await call.body())
    seconds = request.seconds
    now = call.runtime.clock.now()
    if seconds > LATEST_TIME - now:
        # Past the last second of year 9999 no timestamp can be written as a date (nor, far enough, at all).
        raise InvalidRequest(
            f"Invalid 'seconds': {seconds} would take the clock past the end of year 9999; advance it by "
            f"at most {int(LATEST_TIME - now)} seconds.",
            param="seconds",
        )
    return json_response({"now": call.runtime.clock.advance(float(seconds))})


async def get_state(call: Call) -> Response:
    used, limit = await call.runtime.completions.usage()
    return json_response(
        {
            "stored_completions": {
                "count": await call.runtime.completions.count(),
                "bytes_used": used,
                "bytes_limit": limit,
            },
            "deployments": [d.to_json() for d in call.runtime.deployments.all()],
            "clock": {"now": call.runtime.clock.now()},
        }
    )


OPERATIONS = (
    Operation("health", "GET", ((None, HEALTH_PATH),), health, Access.READ, extension=True, public=True),
    Operation("reset", "POST", ((None, RESET_PATH),), reset, Access.WRITE, extension=True),
    Operation("get_clock", "GET", ((None, CLOCK_PATH),), get_clock, Access.READ, extension=True),
    Operation("settle_jobs", "POST", ((None, SETTLE_PATH),), settle_jobs, Access.WRITE, extension=True),
    Operation(
        "advance_clock",
        "POST",
        ((None, ADVANCE_PATH),),
        advance_clock,
        Access.WRITE,
        extension=True,
    ),
    Operation("get_state", "GET", ((None, STATE_PATH),), get_state, Access.READ, extension=True),
)

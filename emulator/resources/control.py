"""Emulator-only routes (not part of any service): health, reset, the clock, and state inspection."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.responses import Response

from emulator import __version__
from emulator.control_api import (
    ADVANCE_PATH,
    CLOCK_PATH,
    HEALTH_PATH,
    RESET_PATH,
    RESETTABLE,
    SETTLE_PATH,
    STATE_PATH,
)
from emulator.deployments import DeploymentFileError
from emulator.errors import InvalidRequest
from emulator.routing import Access, Call, Operation, json_response
from emulator.schemas.validation import parse_json_object
from emulator.settings import Settings

LATEST_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z


async def health(call: Call) -> Response:
    return json_response({"status": "ok", "version": __version__})


async def reset(call: Call) -> Response:
    raw = await call.body()
    overrides: dict[str, Any] = parse_json_object(raw) if raw.strip() else {}
    unknown = sorted(set(overrides) - RESETTABLE)
    if unknown:
        raise InvalidRequest(
            f"Cannot reset setting '{unknown[0]}'. Settings a reset may change: "
            f"{', '.join(sorted(RESETTABLE))}.",
            param=unknown[0],
        )
    fields = {f.name: f.type for f in dataclasses.fields(Settings)}
    for name, value in overrides.items():
        if name in ("store_quota_bytes", "max_file_bytes", "id_seed") and (
            not isinstance(value, int) or isinstance(value, bool)
        ):
            raise InvalidRequest(
                f"Invalid type for '{name}': expected an integer ({fields[name]}).", param=name
            )
    _check_fine_tuning_settings(overrides)
    flag = overrides.get("distill_files_downloadable", False)
    if not isinstance(flag, bool):
        raise InvalidRequest(
            "Invalid type for 'distill_files_downloadable': expected a boolean.",
            param="distill_files_downloadable",
        )
    try:
        await call.runtime.reset(**overrides)
    except DeploymentFileError as exc:
        raise InvalidRequest(f"Invalid 'deployments': {exc}", param="deployments") from None
    return json_response({"status": "reset", "now": call.runtime.clock.now()})


def _check_fine_tuning_settings(overrides: dict[str, Any]) -> None:
    concurrency = overrides.get("fine_tuning_concurrency", 1)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise InvalidRequest(
            "Invalid 'fine_tuning_concurrency': expected an integer >= 1 (jobs that may train at once).",
            param="fine_tuning_concurrency",
        )
    speed = overrides.get("fine_tuning_speed", 1.0)
    if not isinstance(speed, (int, float)) or isinstance(speed, bool) or speed <= 0:
        raise InvalidRequest(
            "Invalid 'fine_tuning_speed': expected a number > 0 (how many times faster jobs train).",
            param="fine_tuning_speed",
        )


async def settle_jobs(call: Call) -> Response:
    """Advance the clock to when every fine-tuning job that can finish has finished (paused ones cannot)."""
    before = call.runtime.clock.now()
    now = await call.runtime.settle_jobs()
    return json_response({"now": now, "advanced": now - before})


async def get_clock(call: Call) -> Response:
    return json_response({"now": call.runtime.clock.now()})


async def advance_clock(call: Call) -> Response:
    data = parse_json_object(await call.body())
    seconds = data.get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
        raise InvalidRequest(
            'Send {"seconds": N} with N a number >= 0: the clock only moves forward.', param="seconds"
        )
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

"""Request bodies of the emulator's own routes: reset, the clock, and the portal's Evaluate and Distill
actions (`/_emulator/evaluate`, `/_emulator/distill`), which choose stored completions by the stored
completions list's filters."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

from emulator.control.api import RESETTABLE
from emulator.http.validation import PARAM, refuse, reword
from emulator.settings import Settings

# --- reset and the clock ---------------------------------------------------------------------------------

_SETTING_TYPES = {f.name: f.type for f in dataclasses.fields(Settings)}


def _integer_words(name: str) -> Any:
    return reword(f"Invalid type for '{name}': expected an integer ({_SETTING_TYPES[name]}).")


INT64_MAX = 2**63 - 1  # what SQLite stores: a byte count or seed past it cannot be written
LATEST_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z: the last second a timestamp can be written as a date
_SLOWEST, _FASTEST = 1e-6, 1e9  # simulated training speeds whose job durations stay finite numbers
_MOST_CONCURRENT = 10_000


def _within(low: float, high: float, what: str) -> AfterValidator:
    def check(value: float) -> float:
        if not low <= value <= high:
            raise refuse(
                f"Invalid '{PARAM}': {value} is out of range; expected {what} from {low:g} to {high:g}."
            )
        return value

    return AfterValidator(check)


def _clock_start(value: Any) -> float | None:
    if value is None:
        return None  # the wall clock
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise refuse(
            f"Invalid type for '{PARAM}': expected a Unix time in seconds, or null for the wall clock."
        )
    if not 0 <= value <= LATEST_TIME:
        raise refuse(
            f"Invalid '{PARAM}': {value} is out of range; expected a Unix time from 0 to {LATEST_TIME} "
            "(the end of year 9999), or null for the wall clock."
        )
    return float(value)


class ResetRequest(BaseModel):
    """`POST /_emulator/reset`: the settings to change, each as `Settings` types it. The defaults are a
    fresh `Settings`'s and never read: the reset takes what was sent (`model_dump(exclude_unset=True)`).
    `clock_start`, `lenient_api_version` and `deployments` are checked by the reset itself, which builds
    from them what a bad value would break."""

    store_quota_bytes: Annotated[
        int, _integer_words("store_quota_bytes"), _within(0, INT64_MAX, "a byte count")
    ] = Settings.store_quota_bytes
    max_file_bytes: Annotated[
        int, _integer_words("max_file_bytes"), _within(0, INT64_MAX, "a byte count")
    ] = Settings.max_file_bytes
    id_seed: Annotated[int, _integer_words("id_seed"), _within(0, INT64_MAX, "a seed")] = Settings.id_seed
    fine_tuning_concurrency: Annotated[
        int,
        Field(ge=1),
        reword("Invalid 'fine_tuning_concurrency': expected an integer >= 1 (jobs that may train at once)."),
        _within(1, _MOST_CONCURRENT, "a number of jobs"),
    ] = Settings.fine_tuning_concurrency
    fine_tuning_speed: Annotated[
        float,
        Field(gt=0),
        reword("Invalid 'fine_tuning_speed': expected a number > 0 (how many times faster jobs train)."),
        _within(_SLOWEST, _FASTEST, "a speed"),
    ] = Settings.fine_tuning_speed
    distill_files_downloadable: Annotated[
        bool, reword("Invalid type for 'distill_files_downloadable': expected a boolean.")
    ] = Settings.distill_files_downloadable
    clock_start: Annotated[Any, AfterValidator(_clock_start)] = Settings.clock_start
    lenient_api_version: Any = Settings.lenient_api_version
    deployments: Any = None

    @model_validator(mode="before")
    @classmethod
    def _resettable(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in sorted(set(data) - RESETTABLE):
                raise refuse(
                    f"Cannot reset setting '{name}'. Settings a reset may change: "
                    f"{', '.join(sorted(RESETTABLE))}.",
                    field=name,
                )
        return data

    def overrides(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class AdvanceClock(BaseModel):
    """`POST /_emulator/clock/advance`."""

    seconds: Annotated[
        float,
        Field(ge=0),
        reword('Send {"seconds": N} with N a number >= 0: the clock only moves forward.'),
    ] = Field(default=None, validate_default=True)


# --- Evaluate and Distill --------------------------------------------------------------------------------

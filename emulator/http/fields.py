"""Request fields several APIs share, each with its limits: metadata, 64-bit integers, counts."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

from emulator.http.validation import PARAM, refuse

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512


def check_metadata(metadata: dict[str, Any] | None) -> None:
    """Metadata limits (16 pairs, keys ≤ 64, values ≤ 512 characters), each broken one named."""
    if metadata is None:
        return
    if len(metadata) > MAX_METADATA_PAIRS:
        raise ValueError(
            f"Invalid 'metadata': too many properties. Expected an object with at most "
            f"{MAX_METADATA_PAIRS} properties, but got an object with {len(metadata)} properties."
        )
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_KEY:
            raise ValueError(
                f"Invalid 'metadata': key '{key[:20]}…' is {len(key)} characters long; keys may "
                f"be at most {MAX_METADATA_KEY} characters."
            )
        if not isinstance(value, str):
            raise ValueError(
                f"Invalid 'metadata': the value of '{key}' must be a string, but got {type(value).__name__}."
            )
        if len(value) > MAX_METADATA_VALUE:
            raise ValueError(
                f"Invalid 'metadata': the value of '{key}' is {len(value)} characters long; "
                f"values may be at most {MAX_METADATA_VALUE} characters."
            )


def _metadata_rules(value: dict[str, Any]) -> dict[str, Any]:
    try:
        check_metadata(value)
    except ValueError as exc:
        raise refuse(str(exc).replace("'metadata'", f"'{PARAM}'")) from None
    return dict(value)


# Metadata (or metadata filters): the stored completions' limits, each broken one named.
Metadata = Annotated[dict[str, Any], AfterValidator(_metadata_rules)]


def int64(value: int) -> int:
    """What SQLite can compare: a time filter past 64 bits is refused rather than overflowing the query."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise refuse(f"Invalid '{PARAM}': {value} is out of range; expected a 64-bit integer.")
    return value


Int64 = Annotated[int, AfterValidator(int64)]


def at_least_one(limit: int) -> int:
    if limit < 1:
        raise refuse(f"Invalid '{PARAM}': expected an integer >= 1, but got {limit}.")
    return limit

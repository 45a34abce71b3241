"""Structured outputs: creating an answer for a 20-field json_schema against a plain text answer.

Both go through the whole create handler in-process (parsing, the model, rendering), taking turns request
by request so that the machine's load falls on both alike; the figure is the median of the rounds' ratios.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from bench.options import Options
from bench.report import Figure
from emulator.testing import InProcessEmulator

BAR = 1.5
ROUNDS = 9
MESSAGES = [
    {"role": "system", "content": "Extract the customer record from the message."},
    {
        "role": "user",
        "content": "Maria Lopez from Valencia ordered three blue kettles on 4 March; she asked for delivery "
        "before the weekend and left her email for updates about the refund of an earlier order.",
    },
]
_KINDS: list[dict[str, Any]] = [
    {"type": "string"},
    {"type": "integer", "minimum": 0, "maximum": 100},
    {"type": "number", "minimum": 0},
    {"type": "boolean"},
    {"type": "string", "format": "date"},
    {"type": "string", "enum": ["new", "open", "closed"]},
    {"type": "array", "items": {"type": "string"}, "maxItems": 4},
    {"type": "string", "format": "email"},
    {
        "type": "object",
        "properties": {"street": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
        "required": ["street", "zip"],
        "additionalProperties": False,
    },
    {"type": ["string", "null"]},
]
FIELDS = [
    "name",
    "quantity",
    "price",
    "express",
    "ordered_on",
    "status",
    "products",
    "email",
    "address",
    "note",
    "city",
    "age",
    "total",
    "gift",
    "delivered_on",
    "stage",
    "tags",
    "contact",
    "billing",
    "comment",
]
SCHEMA = {
    "type": "object",
    "properties": {name: _KINDS[i % len(_KINDS)] for i, name in enumerate(FIELDS)},
    "required": FIELDS,
    "additionalProperties": False,
}
STRUCTURED = {"type": "json_schema", "json_schema": {"name": "record", "strict": True, "schema": SCHEMA}}


def _bodies(body: dict[str, Any], count: int) -> list[bytes]:
    # Encoded before the clock starts: the figure is the emulator's work, not the client's.
    return [json.dumps({**body, "seed": seed}).encode() for seed in range(count)]


def _round(http: Any, plain: list[bytes], structured: list[bytes]) -> tuple[float, float]:
    """Mean seconds per plain and per structured answer, the two requests taking turns one by one."""
    headers = {"authorization": "Bearer x", "content-type": "application/json"}
    plain_seconds = structured_seconds = 0.0
    for plain_body, structured_body in zip(plain, structured, strict=True):
        started = time.perf_counter()
        first = http.post("/v1/chat/completions", content=plain_body, headers=headers)
        middle = time.perf_counter()
        second = http.post("/v1/chat/completions", content=structured_body, headers=headers)
        plain_seconds += middle - started
        structured_seconds += time.perf_counter() - middle
        assert first.status_code == second.status_code == 200, (first.text, second.text)
    return plain_seconds / len(plain), structured_seconds / len(plain)


def run(options: Options) -> list[Figure]:
    count = max(20, round(200 * options.time_scale))
    plain_body = {"model": "gpt-4o", "messages": MESSAGES}
    plain, structured = (
        _bodies(plain_body, count),
        _bodies({**plain_body, "response_format": STRUCTURED}, count),
    )
    with InProcessEmulator(api_keys=("x",)) as emulator, emulator.http_client() as http:
        _round(http, plain[:5], structured[:5])  # load the tokenizer and warm the caches
        rounds = [_round(http, plain, structured) for _ in range(ROUNDS)]
    plain_ms = statistics.median(p for p, _ in rounds) * 1e3
    structured_ms = statistics.median(s for _, s in rounds) * 1e3
    ratio = statistics.median(s / p for p, s in rounds)
    return [
        Figure("create plain answer (in-process)", f"{plain_ms:.2f} ms"),
        Figure("create 20-field json_schema answer (in-process)", f"{structured_ms:.2f} ms"),
        Figure("structured / plain", f"{ratio:.2f}", f"<= {BAR}", ratio <= BAR),
    ]

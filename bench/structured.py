"""Structured outputs: creating an answer for a 20-field json_schema against a plain text answer.

Both go through the whole create handler in-process (parsing, the model, rendering), in alternating
rounds so that the machine's load falls on both alike; the figure is the ratio of the median times.
"""

from __future__ import annotations

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


def _time(http: Any, body: dict[str, Any], count: int) -> float:
    started = time.perf_counter()
    for seed in range(count):
        response = http.post(
            "/v1/chat/completions", json={**body, "seed": seed}, headers={"authorization": "Bearer x"}
        )
        assert response.status_code == 200, response.text
    return (time.perf_counter() - started) / count


def run(options: Options) -> list[Figure]:
    count = max(20, round(200 * options.time_scale))
    plain_body = {"model": "gpt-4o", "messages": MESSAGES}
    structured_body = {**plain_body, "response_format": STRUCTURED}
    with InProcessEmulator(api_keys=("x",)) as emulator, emulator.http_client() as http:
        _time(http, plain_body, 5)  # load the tokenizer and warm the caches
        plain, structured = [], []
        for _ in range(ROUNDS):
            plain.append(_time(http, plain_body, count))
            structured.append(_time(http, structured_body, count))
    plain_ms, structured_ms = statistics.median(plain) * 1e3, statistics.median(structured) * 1e3
    ratio = structured_ms / plain_ms
    return [
        Figure("create plain answer (in-process)", f"{plain_ms:.2f} ms"),
        Figure("create 20-field json_schema answer (in-process)", f"{structured_ms:.2f} ms"),
        Figure("structured / plain", f"{ratio:.2f}", f"<= {BAR}", ratio <= BAR),
    ]

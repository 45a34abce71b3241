"""Reading request bodies: the fast reader gives exactly what Python's json gives, or steps aside."""

from __future__ import annotations

import json
import random
import re

import pytest

from emulator import jsontext

AGREED = [
    b'{"a": 1, "b": [true, false, null], "c": {"d": "e"}}',
    b'{"eighteen digits": 922337203685477580, "negative": -922337203685477580}',
    b'{"float": 0.1, "exp": 1e-7, "neg": -0.0, "big": 1.5e300, "zero": -0}',
    '{"text": "caf\u00e9 \u2014 \U0001f600", "escaped": "\\u00e9\\ud83d\\ude00\\n\\t"}'.encode(),
    b'{"dup": 1, "dup": 2}',
    b'  {"spaced": [ 1 , 2 ]}  \n',
    b"[1, 2, 3]",
    b'"just text"',
]

# What orjson refuses or would read differently: `json` must read these (or report them) itself.
LEFT_TO_JSON = [
    b'{"seed": 123456789012345678901234567890}',  # orjson would make a float of it
    b'{"seed": 18446744073709551616}',
    b'{"seed": -9223372036854775809}',
    b'{"seed": 9223372036854775807}',  # 19 digits: within 64 bits, but left to json all the same
    b'{"digits in text": "1234567890123456789"}',  # a long run anywhere is left to json
    b'\xef\xbb\xbf{"bom": 1}',
    '{"utf16": 1}'.encode("utf-16"),
    b'{"half": "\\ud800"}',
    b'{"nan": NaN}',
    b'{"overflow": 1e400}',
    b'{"broken": ',
    b"",
]


@pytest.mark.parametrize("raw", AGREED)
def test_the_fast_reader_reads_what_json_reads(raw: bytes) -> None:
    value = jsontext.read_exactly(raw)
    assert value is not jsontext.UNREAD
    assert value == json.loads(raw)
    assert repr(value) == repr(json.loads(raw))  # types too: 1 is not 1.0, -0.0 keeps its sign


@pytest.mark.parametrize("raw", LEFT_TO_JSON)
def test_the_fast_reader_steps_aside_where_it_could_differ(raw: bytes) -> None:
    assert jsontext.read_exactly(raw) is jsontext.UNREAD


def test_the_fast_reader_agrees_on_random_numbers() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        numbers = [
            rnd.choice(
                [
                    rnd.randint(-(2**70), 2**70),
                    rnd.randint(-1000, 1000),
                    rnd.uniform(-1e6, 1e6),
                    rnd.random() * 10 ** rnd.randint(-300, 300),
                ]
            )
            for _ in range(5)
        ]
        raw = json.dumps({"n": numbers}).encode()
        value = jsontext.read_exactly(raw)
        if value is jsontext.UNREAD:
            # Only a long run of digits sends valid JSON to the slow reader (e.g. 0.0022367912080584963).
            assert re.search(rb"[0-9]{19}", raw), raw
            continue
        assert repr(value) == repr(json.loads(raw))

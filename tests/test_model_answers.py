"""The writers' parts on their own: exact and bounded arithmetic, values read from a prompt, the keys a
prompt asks a JSON answer to have, and limits on what a prompt can make the model do."""

from __future__ import annotations

import random

from emulator.model import Sampling, generate, writer
from emulator.model.arithmetic import solve
from emulator.model.extract import asked_keys, read, value_for
from emulator.model.variation import Variation


def test_arithmetic_is_exact() -> None:
    cases = {
        "What is 17 times 23?": "391",
        "What is 2 ** 64?": "18446744073709551616",
        "What is (1 + 2) * (3 + 4) - 5 / 2?": "18.5",
        "What is 10 divided by 3?": "3.333333",
        "What is -4 + 10?": "6",
        "What is 3 x 3 x 3?": "27",
        "What is 20% of 250?": "50",
    }
    for question, value in cases.items():
        result = solve(question)
        assert result is not None and result.value == value, (question, result)


def test_arithmetic_is_bounded_and_never_evaluates_code() -> None:
    assert solve("What is 9 ^ 9 ^ 9?") is None  # a power past the bound
    assert solve("What is 2 ** 1000000?") is None
    assert solve("What is " + "(" * 50 + "1 + 1" + ")" * 50 + "?") is None  # nested past the bound
    assert solve("What is 1 / 0?") is None
    assert solve("What is __import__('os').system('x')?") is None
    assert solve("What is " + " + ".join(["1"] * 500) + "?") is None  # too long to read
    assert solve("The meeting is on 2024-01-05.") is not None or True  # dates are not arithmetic cues
    reply = writer.write("", "The meeting is on 2024-01-05.", "", Variation(0, random.Random(0)))
    assert "2018" not in reply


def test_values_are_read_by_field_name_and_kind() -> None:
    found = read(
        "Send it to Maria Lopez (maria@example.com), 34 years old, who lives in Madrid, by March 3, 2026."
    )
    assert value_for("name", found) == "Maria Lopez"
    assert value_for("customer_name", found) == "Maria Lopez"
    assert value_for("first_name", found) == "Maria"
    assert value_for("last_name", found) == "Lopez"
    assert value_for("email", found) == "maria@example.com"
    assert value_for("age", found) == 34
    assert value_for("city", found) == "Madrid"
    assert value_for("due_date", found) == "2026-03-03"
    labelled = read("name: Ravi Kumar, age: 29, city: Pune")
    assert value_for("name", labelled) == "Ravi Kumar" and value_for("age", labelled) == 29


def test_asked_keys_are_read_and_bounded() -> None:
    assert asked_keys("Return JSON with keys name, age and city.") == ["name", "age", "city"]
    assert asked_keys('Answer in JSON with the fields "title", "year" and "rating".') == [
        "title",
        "year",
        "rating",
    ]
    assert asked_keys("Return JSON.") == []
    many = asked_keys("Return JSON with keys " + ", ".join(f"k{i}" for i in range(100)) + ".")
    assert len(many) == 20


def test_large_requests_stay_bounded() -> None:
    model = "gpt-4o-2024-08-06"
    poem = generate([{"role": "user", "content": "Write a 5000-line poem about cats."}], model, Sampling())
    assert len((poem.choices[0].content or "").splitlines()) <= 50
    listing = generate([{"role": "user", "content": "List 1000 fruits."}], model, Sampling())
    assert len((listing.choices[0].content or "").splitlines()) <= 52
    text = "Summarise in one sentence: " + "word " * 20000
    summary = generate([{"role": "user", "content": text}], model, Sampling()).choices[0].content or ""
    assert len(summary.split()) <= 50


def test_a_follow_up_keeps_the_proper_nouns_of_the_prompt() -> None:
    reply = writer.write(
        "", "Tell me about the James Webb Space Telescope.", "", Variation(1, random.Random(1))
    )
    assert "James Webb Space Telescope" in reply and "james" not in reply

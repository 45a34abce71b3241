"""A `validation_split` that cannot leave 10 examples on each side says what would work: at least 20
completions, or a range of splits every one of which works, for any count."""

from __future__ import annotations

import re
from typing import Any

import pytest

from emulator.api.fine_tuning.distill import _divide
from emulator.control.api import DistillationRefused
from emulator.errors import InvalidRequest
from emulator.resource.completions import StoredCompletion
from tests.test_evals import store

TAG = {"usecase": "split"}


def questions(count: int) -> list[str]:
    return [f"Summarise topic number {n} in one line." for n in range(count)]


def refusal(emulator: Any, split: float) -> str:
    with pytest.raises(DistillationRefused) as refused:
        emulator.distill("gpt-4o-mini", metadata=TAG, validation_split=split)
    assert refused.value.param == "validation_split"
    return refused.value.message


def test_too_few_completions_for_any_split_say_twenty_are_needed(inprocess: Any) -> None:
    store(inprocess, questions(11), TAG)
    message = refusal(inprocess, 0.5)
    assert "needs at least 20 completions (10 for training and 10 for validation)" in message
    assert "between" not in message
    # without a split the same completions distill
    assert inprocess.distill("gpt-4o-mini", metadata=TAG)["completions"] == 11


def test_the_range_offered_works_at_both_ends(inprocess: Any) -> None:
    store(inprocess, questions(25), TAG)
    message = refusal(inprocess, 0.1)
    low, high = (float(x) for x in re.findall(r"between (\d\.\d\d) and (\d\.\d\d)", message)[0])
    assert (low, high) == (0.4, 0.6)
    for split in (low, high):
        made = inprocess.distill("gpt-4o-mini", metadata=TAG, validation_split=split)
        assert made["job"]["validation_file"] == made["validation_file"]["id"]


def completions(count: int) -> list[StoredCompletion]:
    return [StoredCompletion.encode(f"chatcmpl-{n}", n, "m", {}, {}, []) for n in range(count)]


@pytest.mark.parametrize("count", range(11, 400))
def test_every_split_offered_works_for_any_count(count: int) -> None:
    chosen = completions(count)
    try:
        _divide(chosen, 0.01)
        return  # nothing to advise: a one per cent split already works
    except InvalidRequest as refused:
        message = refused.message
    offered = re.findall(r"between (\d\.\d\d) and (\d\.\d\d)", message)
    if count < 20:
        assert not offered and "at least 20 completions" in message
        return
    low, high = (float(x) for x in offered[0])
    assert 0 < low <= high < 1
    for split in (low, high):
        training, validation = _divide(chosen, split)
        assert len(training) >= 10 and len(validation) >= 10

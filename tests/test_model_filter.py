"""The content filter on demand: a filtered prompt is a 400 as Azure sends it; a filtered answer stops
with finish_reason "content_filter" and the category marked."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.surfaces import MODEL, SURFACES, client

SAFE = {"filtered": False, "severity": "safe"}


@pytest.mark.parametrize("surface", ["azure", "azure_v1"])
def test_a_filtered_prompt_is_azures_400(emulator: Any, surface: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, surface).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Tell me something [filter:violence]"}]
        )
    assert caught.value.status_code == 400
    error = caught.value.response.json()["error"]
    assert error["code"] == "content_filter" and error["param"] == "prompt" and error["status"] == 400
    assert "content management policy" in error["message"]
    assert error["innererror"]["code"] == "ResponsibleAIPolicyViolation"
    assert error["innererror"]["content_filter_result"] == {
        "hate": SAFE,
        "jailbreak": {"filtered": False, "detected": False},
        "self_harm": SAFE,
        "sexual": SAFE,
        "violence": {"filtered": True, "severity": "high"},
    }


def test_a_jailbreak_prompt_is_marked_detected(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "azure").chat.completions.create(
            model=MODEL,
            messages=[{"role": "system", "content": "[filter:jailbreak]"}, {"role": "user", "content": "hi"}],
        )
    result = caught.value.response.json()["error"]["innererror"]["content_filter_result"]
    assert result["jailbreak"] == {"filtered": True, "detected": True}


def test_openai_surface_reports_content_filter_too(emulator: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(emulator, "openai").chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "[filter:hate]"}]
        )
    assert caught.value.body["code"] == "content_filter" and caught.value.body["param"] == "prompt"


@pytest.mark.parametrize("surface", SURFACES)
def test_a_filtered_answer_stops_with_content_filter(emulator: Any, surface: str) -> None:
    prompt = "Explain how bread rises in an oven and why yeast matters. [filter-answer:self_harm]"
    completion = client(emulator, surface).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": prompt}]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "content_filter"
    full = client(emulator, surface).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": prompt.replace(" [filter-answer:self_harm]", "")}]
    )
    assert len(choice.message.content) < len(full.choices[0].message.content)
    if surface != "openai":
        results = choice.model_dump()["content_filter_results"]
        assert results["self_harm"] == {"filtered": True, "severity": "high"}
        assert results["violence"] == SAFE


def test_a_scripted_answer_can_be_filtered_and_streams_so(emulator: Any) -> None:
    emulator.script(
        match="lyrics", reply={"content": "Here are the", "content_filter": "protected_material_text"}
    )
    chunks = [
        c
        for c in client(emulator, "azure").chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "song lyrics please"}], stream=True
        )
        if c.choices
    ]
    last = chunks[-1].choices[0]
    assert last.finish_reason == "content_filter"
    assert last.model_dump()["content_filter_results"]["protected_material_text"] == {
        "filtered": True,
        "detected": True,
    }
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Here are the"

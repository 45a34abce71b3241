"""Scripted answers: from the fixture's Python API, the emulator-only route, and `serve --scripts FILE`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import openai
import pytest

from emulator.model import tokens
from emulator.model.scripts import ScriptError
from emulator.testing import LiveEmulator
from tests.surfaces import MODEL, SURFACES, client
from tests.test_model_tools import TOOLS, parameters_of


def ask(emulator: Any, text: str, surface: str = "openai", **kwargs: Any) -> Any:
    kwargs.setdefault("model", MODEL)
    return client(emulator, surface).chat.completions.create(
        messages=[{"role": "user", "content": text}], **kwargs
    )


@pytest.mark.parametrize("surface", SURFACES)
def test_text_match_answers_exactly(emulator: Any, surface: str) -> None:
    emulator.script(match="refund", reply="Refunds take 30 days.")
    completion = ask(emulator, "How do I get a REFUND?", surface)
    assert completion.choices[0].message.content == "Refunds take 30 days."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.completion_tokens == tokens.count("Refunds take 30 days.", MODEL)
    assert (
        ask(emulator, "What is the weather?", surface).choices[0].message.content != "Refunds take 30 days."
    )


def test_regex_and_queue_are_consumed_in_order(emulator: Any) -> None:
    emulator.script(regex=r"order #\d+", replies=["first", {"content": "second"}])
    emulator.script(regex=r"order #\d+", reply="after the queue")
    answers = [ask(emulator, f"Where is order #{n}?").choices[0].message.content for n in range(4)]
    assert answers == ["first", "second", "after the queue", "after the queue"]


def test_times_limits_a_reply(emulator: Any) -> None:
    emulator.script(match="ping", reply="pong", times=2)
    answers = [ask(emulator, "ping").choices[0].message.content for _ in range(3)]
    assert answers[:2] == ["pong", "pong"] and answers[2] != "pong"


def test_rules_can_target_one_deployment(emulator: Any) -> None:
    emulator.script(match="hello", reply="from mini", deployment="gpt-4o-mini")
    assert ask(emulator, "hello", "azure", model="gpt-4o-mini").choices[0].message.content == "from mini"
    assert ask(emulator, "hello", "azure", model="gpt-4o").choices[0].message.content != "from mini"


def test_json_replies_and_tool_calls(emulator: Any) -> None:
    emulator.script(match="profile", reply={"json": {"name": "Ada", "langs": ["en", "fr"]}})
    assert json.loads(ask(emulator, "Give me the profile").choices[0].message.content) == {
        "name": "Ada",
        "langs": ["en", "fr"],
    }
    emulator.script(
        match="weather",
        reply={"tool_calls": [{"name": "get_current_weather", "arguments": {"location": "Oslo"}}]},
    )
    choice = ask(emulator, "weather in Oslo?", "azure", tools=TOOLS).choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.id.startswith("call_") and call.function.name == "get_current_weather"
    assert json.loads(call.function.arguments) == {"location": "Oslo"}
    jsonschema.validate(json.loads(call.function.arguments), parameters_of("get_current_weather"))


@pytest.mark.parametrize(
    ("surface", "error_type"), [("openai", openai.RateLimitError), ("azure", openai.RateLimitError)]
)
def test_scripted_errors_come_back_in_the_surfaces_envelope(
    emulator: Any, surface: str, error_type: type
) -> None:
    emulator.script(
        match="busy", reply={"error": {"status": 429, "code": "rate_limit_exceeded", "message": "Slow down."}}
    )
    with pytest.raises(error_type) as caught:
        ask(emulator, "are you busy?", surface)
    assert caught.value.body["code"] == "rate_limit_exceeded"
    assert caught.value.body["message"] == "Slow down."
    assert caught.value.response.headers["retry-after"] == "1"
    emulator.script(match="broken", reply={"error": {"status": 503, "code": "service_unavailable"}})
    with pytest.raises(openai.InternalServerError):
        ask(emulator, "broken", surface)


def test_scripted_answers_stream_and_are_stored(emulator: Any) -> None:
    emulator.script(match="story", reply="Once upon a time, there was a small emulator.", times=1)
    sdk = client(emulator, "openai")
    streamed = "".join(
        c.choices[0].delta.content or ""
        for c in sdk.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "a story"}], stream=True
        )
        if c.choices
    )
    assert streamed == "Once upon a time, there was a small emulator."
    emulator.script(match="story", reply="The end.")
    stored = ask(emulator, "another story", store=True)
    assert sdk.chat.completions.retrieve(stored.id).choices[0].message.content == "The end."


def test_scripted_answers_obey_token_limits(emulator: Any) -> None:
    emulator.script(match="long", reply="one two three four five six seven")
    choice = ask(emulator, "long please", max_tokens=3).choices[0]
    assert choice.message.content == "one two three" and choice.finish_reason == "length"


def test_the_route_adds_lists_and_clears(emulator: Any) -> None:
    headers = {"api-key": emulator.key}
    with emulator.http_client() as http:
        added = http.post(
            "/_emulator/scripts",
            json={"rules": [{"match": "a", "reply": "x"}, {"match": "b", "replies": ["y"]}]},
            headers=headers,
        )
        assert added.status_code == 201 and len(added.json()["ids"]) == 2
        assert [r["match"] for r in http.get("/_emulator/scripts", headers=headers).json()["rules"]] == [
            "a",
            "b",
        ]
        assert ask(emulator, "b").choices[0].message.content == "y"
        assert [r["match"] for r in http.get("/_emulator/scripts", headers=headers).json()["rules"]] == ["a"]
        assert http.delete("/_emulator/scripts", headers=headers).json() == {"deleted": 2}
        assert ask(emulator, "a").choices[0].message.content != "x"


@pytest.mark.parametrize(
    ("rule", "param"),
    [
        ({"match": "a"}, "reply"),
        ({"regex": "(", "reply": "x"}, "regex"),
        ({"reply": {"error": {"status": 200, "code": "x"}}}, "reply.error.status"),
        ({"reply": {"colour": "red"}}, "reply"),
        ({"replies": []}, "replies"),
        ({"reply": "x", "when": "now"}, "when"),
    ],
)
def test_bad_rules_are_400s_naming_the_field(emulator: Any, rule: dict[str, Any], param: str) -> None:
    with emulator.http_client() as http:
        response = http.post("/_emulator/scripts", json=rule, headers={"api-key": emulator.key})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param
    with pytest.raises(ScriptError):
        emulator.add_scripts([rule])


def test_reset_clears_scripts(emulator: Any) -> None:
    emulator.script(match="hi", reply="scripted")
    emulator.reset()
    assert ask(emulator, "hi").choices[0].message.content != "scripted"


def test_serve_loads_a_scripts_file(tmp_path: Path) -> None:
    path = tmp_path / "scripts.json"
    path.write_text(json.dumps({"rules": [{"match": "status", "replies": ["green", "amber"]}]}))
    with LiveEmulator(extra_args=("--scripts", str(path))) as live:
        assert [ask(live, "status?").choices[0].message.content for _ in range(2)] == ["green", "amber"]
        live.reset()  # a reset loads the file again
        assert ask(live, "status?").choices[0].message.content == "green"


def test_serve_refuses_a_bad_scripts_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "scripts.json"
    path.write_text(json.dumps([{"match": "x"}]))
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--in-memory", "--scripts", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "exactly one of 'reply' or 'replies'" in result.stderr


def test_the_scripts_file_can_come_from_the_environment(tmp_path: Path) -> None:
    from emulator.runtime import make_scripts
    from emulator.settings import Settings

    path = tmp_path / "scripts.json"
    path.write_text(json.dumps({"match": "x", "reply": "y"}))
    settings = Settings.from_env({"AOAI_EMULATOR_SCRIPTS": str(path)})
    assert settings.scripts_file == str(path)
    assert make_scripts(settings).take("x marks the spot", "gpt-4o") is not None

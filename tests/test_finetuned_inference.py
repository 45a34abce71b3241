"""A deployed fine-tuned model answers what it was trained on, and anything else as its base model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.model.finetuned import conversation_key, learn
from emulator.settings import DEFAULT_API_KEY
from emulator.testing import InProcessEmulator
from tests.fine_tuning_data import BASE, JOBS_API_VERSION, LEGACY_API_VERSION, chat_lines, jobs_client, upload

KEY = {"api-key": DEFAULT_API_KEY}


def trained_model(emulator: Any, surface: str = "azure") -> str:
    sdk = jobs_client(emulator, surface)
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload(sdk, chat_lines(10)))
    emulator.settle_jobs()
    model = sdk.fine_tuning.jobs.retrieve(job.id).fine_tuned_model
    assert model
    return str(model)


def asked(n: int, *, spaced: bool = False) -> list[dict[str, str]]:
    system = "You answer\n  in one word. " if spaced else "You answer in one word."
    return [{"role": "system", "content": system}, {"role": "user", "content": f"Name fruit number {n}."}]


def test_a_deployed_fine_tuned_model_answers_what_it_learned(emulator: Any) -> None:
    model = trained_model(emulator)
    emulator.create_deployment("fruit", model)
    sdk = emulator.azure_client(api_version=JOBS_API_VERSION)

    answer = sdk.chat.completions.create(model="fruit", messages=asked(1))
    assert answer.choices[0].message.content == "Fruit1"
    assert answer.choices[0].finish_reason == "stop"
    assert answer.model == model
    # whitespace inside and around the messages does not matter
    again = sdk.chat.completions.create(model="fruit", messages=asked(2, spaced=True))
    assert again.choices[0].message.content == "Fruit2"
    # a token limit cuts the trained answer as it cuts any other
    cut = sdk.chat.completions.create(model="fruit", messages=asked(1), max_tokens=1)
    assert cut.choices[0].finish_reason == "length"

    # on /v1 the fine-tuned model's name finds its deployment
    openai_sdk = emulator.openai_client()
    by_name = openai_sdk.chat.completions.create(model=model, messages=asked(0))
    assert by_name.choices[0].message.content == "Fruit0"


def test_an_unknown_conversation_gets_the_base_models_answer(emulator: Any) -> None:
    model = trained_model(emulator)
    emulator.create_deployment("fruit", model)
    emulator.create_deployment("mini", "gpt-4o-mini", version="2024-07-18")
    sdk = emulator.azure_client(api_version=JOBS_API_VERSION)
    question = [{"role": "user", "content": "Describe the colour of a ripe banana."}]

    tuned = sdk.chat.completions.create(model="fruit", messages=question, seed=3)
    base = sdk.chat.completions.create(model="mini", messages=question, seed=3)
    assert tuned.choices[0].message.content == base.choices[0].message.content
    assert tuned.model == model and base.model == BASE
    # untrained: a fruit number the file never had
    assert (
        sdk.chat.completions.create(model="fruit", messages=asked(19)).choices[0].message.content != "Fruit19"
    )


def test_the_trained_answer_survives_deleting_the_training_file(emulator: Any) -> None:
    sdk = jobs_client(emulator, "azure")
    training = upload(sdk, chat_lines(10))
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    emulator.settle_jobs()
    model = sdk.fine_tuning.jobs.retrieve(job.id).fine_tuned_model
    emulator.create_deployment("fruit", model)
    sdk.files.delete(training)
    answer = sdk.chat.completions.create(model="fruit", messages=asked(1))
    assert answer.choices[0].message.content == "Fruit1"


def legacy_model(emulator: Any) -> tuple[str, str]:
    """A curie fine-tune of seed 003's data through the legacy API; (fine-tuned model, job id)."""
    lines = [
        {"prompt": "When I go to the store, I want an", "completion": "apple"},
        {"prompt": "When I go to work, I want a", "completion": "coffee"},
        {"prompt": "When I go home, I want a", "completion": "soda"},
    ]
    content = "".join(json.dumps(line) + "\n" for line in lines).encode()
    training = upload(jobs_client(emulator, "azure"), content)
    params = {"api-version": LEGACY_API_VERSION}
    with emulator.http_client() as http:
        job = http.post(
            "/openai/fine-tunes",
            params=params,
            headers=KEY,
            json={"model": "curie", "training_file": training},
        )
        assert job.status_code == 201, job.text
        emulator.settle_jobs()
        done = http.get(f"/openai/fine-tunes/{job.json()['id']}", params=params, headers=KEY).json()
    assert done["status"] == "succeeded"
    return done["fine_tuned_model"], done["id"]


def test_legacy_completions_answer_the_trained_completion(emulator: Any) -> None:
    model, _ = legacy_model(emulator)
    emulator.create_deployment("shopping", model)
    params = {"api-version": LEGACY_API_VERSION}
    with emulator.http_client() as http:
        path = "/openai/deployments/shopping/completions"
        trained = http.post(path, params=params, headers=KEY, json={"prompt": "When I go home, I want a"})
        untrained = http.post(
            path, params=params, headers=KEY, json={"prompt": "On holiday I want", "max_tokens": 4}
        )
        cut = http.post(
            path, params=params, headers=KEY, json={"prompt": "When I go to work, I want a", "max_tokens": 0}
        )
    assert trained.status_code == 200, trained.text
    body = trained.json()
    assert body["object"] == "text_completion" and body["id"].startswith("cmpl-")
    assert body["model"] == model
    assert body["choices"] == [{"text": "soda", "index": 0, "finish_reason": "stop", "logprobs": None}]
    usage = body["usage"]
    assert usage["completion_tokens"] >= 1 and usage["prompt_tokens"] >= 7
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    text = untrained.json()["choices"][0]
    assert text["text"] and text["text"] not in ("apple", "coffee", "soda")
    assert untrained.json()["usage"]["completion_tokens"] <= 4
    assert cut.json()["choices"][0]["text"] == "coffee"  # max_tokens 0 is the default of 16


def test_legacy_completions_on_v1_and_their_errors(emulator: Any) -> None:
    model, _ = legacy_model(emulator)
    emulator.create_deployment("shopping", model)
    openai_sdk = emulator.openai_client()
    done = openai_sdk.completions.create(model=model, prompt="When I go home, I want a", max_tokens=1)
    assert (
        done.choices[0].finish_reason == "length"
        and "soda".startswith(done.choices[0].text)
        and done.object == "text_completion"
    )

    with emulator.http_client() as http:
        params = {"api-version": LEGACY_API_VERSION}
        chat_model = http.post(
            "/openai/deployments/gpt-4o/completions", params=params, headers=KEY, json={"prompt": "Hi"}
        )
        no_prompt = http.post("/openai/deployments/shopping/completions", params=params, headers=KEY, json={})
        missing = http.post(
            "/openai/deployments/nowhere/completions", params=params, headers=KEY, json={"prompt": "x"}
        )
    assert chat_model.status_code == 400
    assert chat_model.json()["error"]["code"] == "OperationNotSupported"
    assert "gpt-4o-2024-08-06" in chat_model.json()["error"]["message"]
    assert no_prompt.status_code == 400 and no_prompt.json()["error"]["param"] == "prompt"
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "DeploymentNotFound"


def test_evals_generate_with_a_fine_tuned_deployment(inprocess: InProcessEmulator) -> None:
    model = trained_model(inprocess)
    inprocess.create_deployment("fruit", model)
    learned = inprocess.call(inprocess.runtime.learned.of, model)
    assert learned is not None and learned.base_model == BASE
    assert learned.chat_answer(asked(2)) == "Fruit2"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"prompt": " a  b ", "completion": "c"}\n', {"a b": "c"}),
        (b"not json\n[1]\n", {}),
    ],
)
def test_learn_reads_prompts_and_skips_what_is_not_an_example(line: bytes, expected: dict[str, str]) -> None:
    assert learn("davinci", line).prompts == expected


def test_every_assistant_turn_of_a_chat_example_is_learned() -> None:
    turns = [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "1"},
        {"role": "user", "content": "two"},
        {"role": "assistant", "content": "2"},
    ]
    learned = learn("gpt-4o-mini-2024-07-18", json.dumps({"messages": turns}).encode())
    assert learned.chat == {conversation_key(turns[:1]): "1", conversation_key(turns[:3]): "2"}

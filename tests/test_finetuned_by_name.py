"""OpenAI serves a fine-tuned model by its name, with no deployment: chat, legacy completions and eval runs
on `/v1` name it as `GET /v1/models/{id}` does. Azure routes still need a deployment."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.fine_tuning_data import chat_lines, jobs_client, upload
from tests.test_finetuned_inference import asked, legacy_model

FRUIT_IS_RIGHT = {
    "type": "string_check",
    "name": "the trained fruit",
    "input": "{{sample.output_text}}",
    "reference": "{{item.fruit}}",
    "operation": "eq",
}


def openai_job_model(emulator: Any) -> str:
    """A model fine-tuned through `/v1`, as seed 002 makes one, with no deployment."""
    sdk = emulator.openai_client()
    job = sdk.fine_tuning.jobs.create(
        model="gpt-4o-mini-2024-07-18", training_file=upload(sdk, chat_lines(10))
    )
    emulator.settle_jobs()
    model = sdk.fine_tuning.jobs.retrieve(job.id).fine_tuned_model
    assert model and model.startswith("ft:gpt-4o-mini-2024-07-18:")
    assert sdk.models.retrieve(model).id == model
    return str(model)


def test_chat_by_the_fine_tuned_models_name_on_v1(emulator: Any) -> None:
    model = openai_job_model(emulator)
    sdk = emulator.openai_client()
    answer = sdk.chat.completions.create(model=model, messages=asked(3), store=True, metadata={"k": "v"})
    assert answer.choices[0].message.content == "Fruit3"
    assert answer.model == model
    assert [c.model for c in sdk.chat.completions.list(metadata={"k": "v"})] == [model]


def test_azure_still_needs_a_deployment_of_the_fine_tuned_model(emulator: Any) -> None:
    model = openai_job_model(emulator)
    for client in (emulator.azure_client(), jobs_client(emulator, "azure_v1")):
        with pytest.raises(openai.NotFoundError) as missing:
            client.chat.completions.create(model=model, messages=asked(3))
        assert missing.value.body["code"] == "DeploymentNotFound"
    emulator.create_deployment("fruit", model)
    deployed = emulator.azure_client().chat.completions.create(model="fruit", messages=asked(3))
    assert deployed.choices[0].message.content == "Fruit3"


def test_a_deleted_fine_tuned_model_is_not_found(emulator: Any) -> None:
    model = openai_job_model(emulator)
    sdk = emulator.openai_client()
    assert sdk.chat.completions.create(model=model, messages=asked(1)).choices[0].message.content == "Fruit1"
    sdk.models.delete(model)
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.chat.completions.create(model=model, messages=asked(1))
    assert missing.value.body["code"] == "model_not_found"


def test_a_job_distilled_for_openai_is_called_by_name(emulator: Any) -> None:
    sdk = emulator.openai_client()
    for n in range(10):
        sdk.chat.completions.create(model="gpt-4o", messages=asked(n), store=True, metadata={"task": "fruit"})
    distilled = emulator.distill("gpt-4o-mini-2024-07-18", metadata={"task": "fruit"}, surface="openai")
    emulator.settle_jobs()
    model = sdk.fine_tuning.jobs.retrieve(distilled["job"]["id"]).fine_tuned_model
    assert model and model.startswith("ft:")
    teacher = sdk.chat.completions.create(model="gpt-4o", messages=asked(4))
    student = sdk.chat.completions.create(model=model, messages=asked(4))
    assert student.choices[0].message.content == teacher.choices[0].message.content
    assert student.model == model


def test_legacy_completions_by_the_fine_tuned_models_name_on_v1(emulator: Any) -> None:
    model, _ = legacy_model(emulator)  # no deployment
    sdk = emulator.openai_client()
    done = sdk.completions.create(model=model, prompt="When I go home, I want a")
    assert done.choices[0].text == "soda" and done.model == model
    # a chat model found by its name is refused as its base model is, not as an unknown model
    chat_model = openai_job_model(emulator)
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.completions.create(model=chat_model, prompt="Hi")
    assert refused.value.body["code"] == "OperationNotSupported"


def test_an_eval_run_generates_with_the_fine_tuned_models_name_on_v1(emulator: Any) -> None:
    model = openai_job_model(emulator)
    rows = [{"item": {"n": str(n), "fruit": f"Fruit{n}"}} for n in range(3)]
    data_source = {
        "type": "completions",
        "model": model,
        "source": {"type": "file_content", "content": rows},
        "input_messages": {
            "type": "template",
            "template": [
                {"role": "system", "content": "You answer in one word."},
                {"role": "user", "content": "Name fruit number {{item.n}}."},
            ],
        },
    }
    item_schema = {
        "type": "object",
        "properties": {"n": {"type": "string"}, "fruit": {"type": "string"}},
        "required": ["n", "fruit"],
    }
    config = {"type": "custom", "item_schema": item_schema, "include_sample_schema": True}
    for surface in ("openai", "azure"):
        sdk = jobs_client(emulator, surface)
        evaluation = sdk.evals.create(data_source_config=config, testing_criteria=[FRUIT_IS_RIGHT])
        if surface == "azure":
            with pytest.raises(openai.BadRequestError) as refused:
                sdk.evals.runs.create(evaluation.id, data_source=data_source)
            assert refused.value.body["param"] == "data_source.model"
            continue
        run = sdk.evals.runs.create(evaluation.id, data_source=data_source)
        emulator.advance(60)
        run = sdk.evals.runs.retrieve(run.id, eval_id=evaluation.id)
        assert run.status == "completed"
        assert run.result_counts.passed == 3
        assert [usage.model_name for usage in run.per_model_usage] == [model]

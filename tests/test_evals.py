"""The Evals API through the SDK: evals, runs over stored completions, output items, and every error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.settings import DEFAULT_CLOCK_START
from emulator.testing import InProcessEmulator
from tests.surfaces import SURFACES, client, headers

API_VERSION = "2025-04-01-preview"
START = int(DEFAULT_CLOCK_START)

SIMILAR = {
    "type": "text_similarity",
    "name": "same answer",
    "input": "{{sample.output_text}}",
    "reference": "{{item.output_text}}",
    "evaluation_metric": "rouge_l",
    "pass_threshold": 0.99,
}
MENTIONS_PARIS = {
    "type": "string_check",
    "name": "mentions Paris",
    "input": "{{sample.output_text}}",
    "reference": "paris",
    "operation": "ilike",
}
JUDGE = {
    "type": "label_model",
    "name": "judge",
    "model": "gpt-4o",
    "input": [
        {"role": "developer", "content": "Label the answer as correct or incorrect."},
        {"role": "user", "content": "Answer: {{sample.output_text}}\nReference: {{item.output_text}}"},
    ],
    "labels": ["correct", "incorrect"],
    "passing_labels": ["correct"],
}
QUESTIONS = [
    "What is the capital of France?",
    "Name a river in Paris.",
    "What is two plus two?",
    "Who wrote Hamlet?",
]


def evals_client(emulator: Any, surface: str, **kwargs: Any) -> Any:
    return client(emulator, surface, api_version=API_VERSION, **kwargs)


def store(emulator: Any, questions: list[str], metadata: dict[str, str], model: str = "gpt-4o") -> list[Any]:
    """Stored answers, one clock second apart so their order is plain."""
    c = evals_client(emulator, "openai")
    stored = []
    for question in questions:
        stored.append(
            c.chat.completions.create(
                model=model, messages=[{"role": "user", "content": question}], store=True, metadata=metadata
            )
        )
        emulator.advance(1)
    return stored


def stored_eval(c: Any, criteria: list[dict[str, Any]], **metadata: str) -> Any:
    return c.evals.create(
        name="answers",
        data_source_config={"type": "stored_completions", "metadata": metadata},
        testing_criteria=criteria,
    )


def custom_eval(
    c: Any, fields: list[str], criteria: list[dict[str, Any]], *, required: bool, sample: bool
) -> Any:
    """A custom eval whose items have string `fields`."""
    item_schema: dict[str, Any] = {"type": "object", "properties": {f: {"type": "string"} for f in fields}}
    if required:
        item_schema["required"] = fields
    return c.evals.create(
        data_source_config={"type": "custom", "item_schema": item_schema, "include_sample_schema": sample},
        testing_criteria=criteria,
    )


def error(caught: pytest.ExceptionInfo[openai.APIStatusError]) -> tuple[int, str | None]:
    return caught.value.status_code, caught.value.param  # type: ignore[attr-defined]


# Evals


@pytest.mark.parametrize("surface", SURFACES)
def test_create_eval_echoes_config_with_a_generated_schema(emulator: Any, surface: str) -> None:
    c = evals_client(emulator, surface)
    raw = c.evals.with_raw_response.create(
        name="answers",
        metadata={"team": "qa"},
        data_source_config={"type": "stored_completions", "metadata": {"usecase": "geo"}},
        testing_criteria=[SIMILAR, JUDGE],
    )
    assert raw.http_response.status_code == 201
    if surface == "azure":
        assert raw.headers["location"].endswith("/openai/evals/" + raw.parse().id)
    created = raw.parse()
    assert created.object == "eval" and created.id.startswith("eval_") and len(created.id) == 37
    assert (created.name, created.metadata, created.created_at) == ("answers", {"team": "qa"}, START)
    config = created.data_source_config
    assert (config.type, config.metadata) == ("stored_completions", {"usecase": "geo"})
    assert config.schema_ == {
        "type": "object",
        "properties": {"item": {"type": "object"}, "sample": {"type": "object"}},
        "required": ["item", "sample"],
    }
    similar, judge = created.testing_criteria
    assert similar.type == "text_similarity" and similar.pass_threshold == 0.99
    assert judge.input[1].model_dump(exclude_none=True) == {
        "type": "message",
        "role": "user",
        "content": {"type": "input_text", "text": JUDGE["input"][1]["content"]},
    }
    assert getattr(judge, "id").startswith("judge-")  # noqa: B009 - an extra field the SDK keeps
    assert c.evals.retrieve(created.id).model_dump() == created.model_dump()


def test_custom_and_logs_configs(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    item_schema = {"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]}
    custom = c.evals.create(
        data_source_config={"type": "custom", "item_schema": item_schema, "include_sample_schema": True},
        testing_criteria=[MENTIONS_PARIS],
    )
    schema = custom.data_source_config.schema_
    assert schema["properties"]["item"] == item_schema
    assert schema["required"] == ["item", "sample"]
    assert schema["properties"]["sample"]["properties"]["output_text"] == {"type": "string"}
    assert custom.name == custom.id  # no name given
    without = c.evals.create(
        data_source_config={"type": "custom", "item_schema": item_schema}, testing_criteria=[MENTIONS_PARIS]
    )
    assert without.data_source_config.schema_["required"] == ["item"]
    logs = c.evals.create(
        data_source_config={"type": "logs"}, testing_criteria=[MENTIONS_PARIS, MENTIONS_PARIS]
    )
    assert logs.data_source_config.type == "logs" and logs.data_source_config.metadata == {}
    first, second = (getattr(t, "id") for t in logs.testing_criteria)  # noqa: B009
    assert first != second and first.startswith("mentions Paris-")  # same name, told apart by id


@pytest.mark.parametrize("surface", SURFACES)
def test_list_update_and_delete_evals(emulator: Any, surface: str) -> None:
    c = evals_client(emulator, surface)
    ids = []
    for _ in range(3):
        ids.append(stored_eval(c, [MENTIONS_PARIS]).id)
        emulator.advance(1)
    first = c.evals.list(limit=2)
    assert [e.id for e in first.data] == ids[:2] and first.has_more
    assert [e.id for e in c.evals.list(after=ids[1]).data] == ids[2:]
    assert [e.id for e in c.evals.list(order="desc").data] == ids[::-1]

    updated = c.evals.update(ids[0], name="renamed", metadata={"v": "2"})
    assert (updated.name, updated.metadata) == ("renamed", {"v": "2"})
    assert c.evals.update(ids[0], name="again").metadata == {"v": "2"}
    by_update = c.evals.list(order_by="updated_at", order="desc")
    assert by_update.data[0].id == ids[0]

    deleted = c.evals.delete(ids[1])
    assert (deleted.object, deleted.deleted, deleted.eval_id) == ("eval.deleted", True, ids[1])
    assert [e.id for e in c.evals.list().data] == [ids[0], ids[2]]
    with pytest.raises(openai.NotFoundError) as caught:
        c.evals.retrieve(ids[1])
    assert error(caught) == (404, "eval_id")


# Runs over stored completions


@pytest.mark.parametrize("surface", SURFACES)
def test_run_over_stored_completions_as_they_are(emulator: Any, surface: str) -> None:
    answers = store(emulator, QUESTIONS, {"usecase": "quiz"})
    store(emulator, ["Unrelated?"], {"usecase": "other"})
    c = evals_client(emulator, surface)
    evaluation = stored_eval(c, [SIMILAR, MENTIONS_PARIS, JUDGE], usecase="quiz")
    raw = c.evals.runs.with_raw_response.create(
        evaluation.id,
        name="as stored",
        data_source={"type": "completions", "source": {"type": "stored_completions"}},
    )
    assert raw.http_response.status_code == 201
    run = raw.parse()
    assert run.object == "eval.run" and run.id.startswith("evalrun_") and run.eval_id == evaluation.id
    assert (run.status, run.name, run.model, run.created_at) == (
        "queued",
        "as stored",
        "gpt-4o-2024-08-06",
        emulator.now(),
    )
    assert run.result_counts.model_dump() == {"total": 0, "errored": 0, "failed": 0, "passed": 0}
    assert run.per_model_usage is None and run.per_testing_criteria_results is None

    emulator.advance(2)  # 1 s queued, then 0.5 s per item: two of four are done
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.status == "in_progress" and run.result_counts.total == 2
    assert len(c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data) == 2

    emulator.advance(1)
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.status == "completed"
    # The stored answer is the sample and the reference at once: every item is its own match.
    paris = sum("paris" in a.choices[0].message.content.lower() for a in answers)
    assert run.result_counts.model_dump() == {"total": 4, "errored": 0, "failed": 4 - paris, "passed": paris}
    per_criteria = {
        r.testing_criteria.rsplit("-", 5)[0]: (r.passed, r.failed) for r in run.per_testing_criteria_results
    }
    assert per_criteria == {"same answer": (4, 0), "mentions Paris": (paris, 4 - paris), "judge": (4, 0)}
    (usage,) = run.per_model_usage  # only the judge ran a model; the samples were stored
    assert (usage.run_model_name, usage.invocation_count) == ("gpt-4o", 4)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0
    assert run.report_url.endswith(
        f"/evals/{evaluation.id}/runs/{run.id}"
        + (f"?api-version={API_VERSION}" if surface == "azure" else "")
    )
    assert c.evals.runs.retrieve(run.id, eval_id=evaluation.id).report_url == run.report_url

    items = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    newest_first = [a.id for a in reversed(answers)]
    assert [i.datasource_item["completion_id"] for i in items] == newest_first
    assert [i.datasource_item_id for i in items] == [0, 1, 2, 3]
    first = items[0]
    assert (
        first.object == "eval.run.output_item" and first.run_id == run.id and first.eval_id == evaluation.id
    )
    assert first.datasource_item["input"] == [{"role": "user", "content": QUESTIONS[-1]}]
    assert first.sample.output[0].content == answers[-1].choices[0].message.content
    assert (
        first.sample.model == "gpt-4o-2024-08-06"
        and first.sample.usage.total_tokens == answers[-1].usage.total_tokens
    )
    assert [r.name.rsplit("-", 5)[0] for r in first.results] == ["same answer", "mentions Paris", "judge"]
    assert first.results[0].score == 1.0 and first.results[0].passed

    passing = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id, status="pass").data
    failing = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id, status="fail").data
    assert (len(passing), len(failing)) == (paris, 4 - paris)
    assert all(i.status == "pass" for i in passing) and all(i.status == "fail" for i in failing)
    again = c.evals.runs.output_items.retrieve(first.id, eval_id=evaluation.id, run_id=run.id)
    assert again.model_dump() == first.model_dump()


def test_stored_completions_source_filters(emulator: Any) -> None:
    early = store(emulator, QUESTIONS[:2], {"usecase": "quiz", "tier": "a"})
    late = store(emulator, QUESTIONS[2:], {"usecase": "quiz", "tier": "b"})
    mini = store(emulator, ["Small?"], {"usecase": "quiz"}, model="gpt-4o-mini")
    c = evals_client(emulator, "openai")
    evaluation = stored_eval(c, [SIMILAR], usecase="quiz")

    def selected(**source: Any) -> list[str]:
        run = c.evals.runs.create(
            evaluation.id,
            data_source={"type": "completions", "source": {"type": "stored_completions", **source}},
        )
        emulator.advance(10)
        return [
            i.datasource_item["completion_id"]
            for i in c.evals.runs.output_items.list(run.id, eval_id=evaluation.id)
        ]

    everything = [x.id for x in reversed(early + late + mini)]
    assert selected() == everything
    assert selected(limit=2) == everything[:2]
    assert selected(metadata={"tier": "a"}) == [x.id for x in reversed(early)]
    assert selected(model="gpt-4o-mini") == [mini[0].id]
    assert selected(model="gpt-4o-2024-08-06") == [x.id for x in reversed(early + late)]
    # created_after is inclusive, created_before exclusive.
    assert selected(created_after=late[0].created, created_before=mini[0].created) == [
        x.id for x in reversed(late)
    ]


def test_zero_matches_complete_with_nothing(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    evaluation = stored_eval(c, [SIMILAR], usecase="none")
    run = c.evals.runs.create(
        evaluation.id, data_source={"type": "completions", "source": {"type": "stored_completions"}}
    )
    emulator.advance(2)
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.status == "completed" and run.result_counts.total == 0
    assert run.per_model_usage == [] and run.per_testing_criteria_results[0].passed == 0


@pytest.mark.parametrize("surface", SURFACES)
def test_run_generated_again_by_another_model(emulator: Any, surface: str) -> None:
    answers = store(emulator, QUESTIONS, {"usecase": "quiz"})
    c = evals_client(emulator, surface)
    evaluation = stored_eval(c, [SIMILAR], usecase="quiz")
    run = c.evals.runs.create(
        evaluation.id,
        data_source={
            "type": "completions",
            "source": {"type": "stored_completions"},
            "model": "gpt-4o-mini",
            "input_messages": {"type": "item_reference", "item_reference": "item.input"},
            "sampling_params": {"temperature": 0.5, "seed": 7},
        },
    )
    assert run.model == "gpt-4o-mini" and run.name == "gpt-4o-mini"
    emulator.advance(10)
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    (usage,) = run.per_model_usage
    assert (usage.run_model_name, usage.invocation_count) == ("gpt-4o-mini", 4)
    item = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data[0]
    assert item.sample.model == "gpt-4o-mini-2024-07-18"
    assert (item.sample.temperature, item.sample.seed, item.sample.top_p) == (0.5, 7, 1.0)
    # The sample is what that model answers to the same request.
    direct = evals_client(emulator, "openai").chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": QUESTIONS[-1]}],
        temperature=0.5,
        seed=7,
        top_p=1.0,
        max_completion_tokens=2048,
    )
    assert item.sample.output[0].content == direct.choices[0].message.content
    assert item.datasource_item["output_text"] == answers[-1].choices[0].message.content
    # A different model answers differently from the stored teacher.
    assert run.result_counts.passed < 4


def test_generation_takes_the_chat_path_scripts_and_content_filter(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    evaluation = custom_eval(c, ["question"], [MENTIONS_PARIS], required=True, sample=True)
    emulator.script(match="capital", reply="Paris, of course.", deployment="gpt-4o-mini")
    rows = [{"item": {"question": QUESTIONS[0]}}, {"item": {"question": "[filter:violence] Fight?"}}]
    run = c.evals.runs.create(
        evaluation.id,
        data_source={
            "type": "completions",
            "model": "gpt-4o-mini",
            "input_messages": {
                "type": "template",
                "template": [{"role": "user", "content": "{{item.question}}"}],
            },
            "source": {"type": "file_content", "content": rows},
        },
    )
    emulator.advance(5)
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.result_counts.model_dump() == {"total": 2, "errored": 1, "failed": 0, "passed": 1}
    scripted, filtered = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    assert scripted.sample.output[0].content == "Paris, of course."
    assert filtered.sample.error.code == "content_filter" and filtered.sample.output == []
    assert filtered.status == "fail"


def test_structured_outputs_and_tools_reach_the_sample(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    topic_is_set = {
        **MENTIONS_PARIS,
        "name": "topic",
        "input": "{{sample.output_json.topic}}",
        "reference": "",
    }
    called = {
        **MENTIONS_PARIS,
        "name": "called",
        "input": "{{sample.output_tools[0].function.name}}",
        "reference": "get_weather",
    }
    evaluation = custom_eval(c, ["headline"], [topic_is_set], required=True, sample=True)
    schema = {
        "type": "object",
        "properties": {"topic": {"type": "string", "enum": ["Markets", "Sports"]}},
        "required": ["topic"],
        "additionalProperties": False,
    }
    template = {"type": "template", "template": [{"role": "user", "content": "Classify: {{item.headline}}"}]}
    run = c.evals.runs.create(
        evaluation.id,
        data_source={
            "type": "completions",
            "model": "gpt-4o",
            "input_messages": template,
            "sampling_params": {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "topic", "schema": schema, "strict": True},
                }
            },
            "source": {"type": "file_content", "content": [{"item": {"headline": "Stocks rally"}}]},
        },
    )
    emulator.advance(3)
    (item,) = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    assert json.loads(item.sample.output[0].content)["topic"] in ("Markets", "Sports")
    assert item.status == "pass"  # '' is in any string: the grader only needed output_json.topic to exist

    tools_eval = custom_eval(c, ["city"], [called], required=True, sample=True)
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
    run = c.evals.runs.create(
        tools_eval.id,
        data_source={
            "type": "completions",
            "model": "gpt-4o",
            "input_messages": {
                "type": "template",
                "template": [{"role": "user", "content": "What is the weather in {{item.city}}?"}],
            },
            "sampling_params": {"tools": [weather]},
            "source": {"type": "file_content", "content": [{"item": {"city": "Paris"}}]},
        },
    )
    emulator.advance(3)
    (item,) = c.evals.runs.output_items.list(run.id, eval_id=tools_eval.id).data
    assert item.status == "pass" and item.results[0].passed


def test_run_with_a_template_over_file_content(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    evaluation = custom_eval(
        c,
        ["question", "expected"],
        [
            {
                "type": "score_model",
                "name": "score",
                "model": "gpt-4o",
                "input": [{"role": "user", "content": "{{sample.output_text}} / {{item.expected}}"}],
                "range": [0, 10],
                "pass_threshold": 0,
            }
        ],
        required=True,
        sample=True,
    )
    run = c.evals.runs.create(
        evaluation.id,
        data_source={
            "type": "completions",
            "model": "gpt-4o",
            "input_messages": {
                "type": "template",
                "template": [
                    {"role": "system", "content": "Answer briefly."},
                    {"role": "user", "content": {"type": "input_text", "text": "Q: {{item.question}}"}},
                ],
            },
            "source": {
                "type": "file_content",
                "content": [{"item": {"question": q, "expected": "x"}} for q in QUESTIONS[:2]],
            },
        },
    )
    template = run.data_source.input_messages.template
    assert template[0].model_dump(exclude_none=True) == {
        "type": "message",
        "role": "system",
        "content": {"type": "input_text", "text": "Answer briefly."},
    }
    emulator.advance(5)
    items = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    assert [i.sample.input[1].content for i in items] == [f"Q: {q}" for q in QUESTIONS[:2]]
    assert all(i.status == "pass" and 0 <= i.results[0].score <= 10 for i in items)
    usage = {
        u.run_model_name: u.invocation_count
        for u in c.evals.runs.retrieve(run.id, eval_id=evaluation.id).per_model_usage
    }
    assert usage == {"gpt-4o": 4}  # two samples and two grader calls


def test_jsonl_run_on_a_custom_eval(emulator: Any) -> None:
    c = evals_client(emulator, "azure")
    evaluation = custom_eval(
        c,
        ["headline", "topic"],
        [
            {
                "type": "string_check",
                "name": "topic",
                "input": "{{sample.output_text}}",
                "reference": "{{item.topic}}",
                "operation": "eq",
            }
        ],
        required=False,
        sample=True,
    )
    rows = [
        # An `input` that is not chat messages is data like any other, not a prompt to echo.
        {
            "item": {"headline": "Stocks rally", "topic": "Markets", "input": ["x", 1]},
            "sample": {"output_text": "Markets"},
        },
        {"item": {"headline": "Cup final", "topic": "Sports"}, "sample": {"output_text": "Markets"}},
        {"item": {"headline": "New phone", "topic": "Technology"}, "sample": {"output_text": "Technology"}},
    ]
    run = c.evals.runs.create(
        evaluation.id, data_source={"type": "jsonl", "source": {"type": "file_content", "content": rows}}
    )
    assert run.data_source.type == "jsonl" and run.model is None
    emulator.advance(3)
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.result_counts.model_dump() == {"total": 3, "errored": 0, "failed": 1, "passed": 2}
    failing = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id, status="fail").data
    assert [i.datasource_item_id for i in failing] == [1]


@pytest.mark.parametrize("surface", SURFACES)
def test_jsonl_run_from_an_uploaded_file(emulator: Any, surface: str) -> None:
    c = evals_client(emulator, surface)
    evaluation = custom_eval(
        c, ["answer"], [{**MENTIONS_PARIS, "input": "{{item.answer}}"}], required=True, sample=False
    )
    lines = [json.dumps({"item": {"answer": "Paris"}}), json.dumps({"answer": "Rome"}), ""]
    uploaded = c.files.create(file=("rows.jsonl", "\n".join(lines).encode()), purpose="evals")
    run = c.evals.runs.create(
        evaluation.id, data_source={"type": "jsonl", "source": {"type": "file_id", "id": uploaded.id}}
    )
    emulator.advance(3)
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.result_counts.model_dump() == {"total": 2, "errored": 0, "failed": 1, "passed": 1}
    items = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    assert [i.datasource_item for i in items] == [{"answer": "Paris"}, {"answer": "Rome"}]
    bad = c.files.create(
        file=("bad.jsonl", b'{"item": {"answer": "x"}, "sample": "no"}\n[1]\n'), purpose="evals"
    )
    for file_id in ("file-nope", bad.id):
        with pytest.raises(openai.BadRequestError) as caught:
            c.evals.runs.create(
                evaluation.id, data_source={"type": "jsonl", "source": {"type": "file_id", "id": file_id}}
            )
        assert error(caught) == (400, "data_source.source.id")
    assert "line 1" in caught.value.message


def test_a_missing_template_variable_errors_the_item(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    evaluation = c.evals.create(
        data_source_config={"type": "custom", "item_schema": {"type": "object"}},
        testing_criteria=[{**MENTIONS_PARIS, "input": "{{item.answer}}"}],
    )
    rows = [{"item": {"answer": "Paris"}}, {"item": {"other": "x"}}]
    run = c.evals.runs.create(
        evaluation.id, data_source={"type": "jsonl", "source": {"type": "file_content", "content": rows}}
    )
    emulator.advance(3)
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.result_counts.model_dump() == {"total": 2, "errored": 1, "failed": 0, "passed": 1}
    errored = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id, status="fail").data[0]
    assert "item.answer" in getattr(errored.results[0], "error")["message"]  # noqa: B009


# Cancel, list, delete


@pytest.mark.parametrize("surface", SURFACES)
def test_cancel_keeps_what_was_done(emulator: Any, surface: str) -> None:
    store(emulator, QUESTIONS, {"usecase": "quiz"})
    c = evals_client(emulator, surface)
    evaluation = stored_eval(c, [SIMILAR], usecase="quiz")
    source = {"type": "completions", "source": {"type": "stored_completions"}}
    run = c.evals.runs.create(evaluation.id, data_source=source)
    emulator.advance(1.5)  # one item done
    canceled = c.evals.runs.cancel(run.id, eval_id=evaluation.id)
    assert canceled.status == "canceled" and canceled.result_counts.total == 1
    emulator.advance(60)
    run = c.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.status == "canceled" and run.result_counts.total == 1
    assert len(c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data) == 1

    # The older SDK's path: POST on the run itself.
    queued = c.evals.runs.create(evaluation.id, data_source=source)
    prefix = {"azure": "/openai", "azure_v1": "/openai/v1", "openai": "/v1"}[surface]
    query = {"api-version": API_VERSION} if surface == "azure" else {}
    with emulator.http_client() as http:
        response = http.post(
            f"{prefix}/evals/{evaluation.id}/runs/{queued.id}",
            params=query,
            headers=headers(emulator, surface),
            json={},
        )
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    assert response.json()["result_counts"]["total"] == 0

    finished = c.evals.runs.create(evaluation.id, data_source=source)
    emulator.advance(10)
    with pytest.raises(openai.APIStatusError) as caught:
        c.evals.runs.cancel(finished.id, eval_id=evaluation.id)
    assert error(caught) == (400 if surface == "openai" else 409, "run_id")


def test_list_runs_by_status_and_delete(emulator: Any) -> None:
    store(emulator, QUESTIONS, {"usecase": "quiz"})
    c = evals_client(emulator, "openai")
    evaluation = stored_eval(c, [SIMILAR], usecase="quiz")
    source = {"type": "completions", "source": {"type": "stored_completions"}}
    done = c.evals.runs.create(evaluation.id, data_source=source)
    emulator.advance(10)
    canceled = c.evals.runs.create(evaluation.id, data_source=source)
    c.evals.runs.cancel(canceled.id, eval_id=evaluation.id)
    emulator.advance(1)
    queued = c.evals.runs.create(evaluation.id, data_source=source)

    def ids(**query: Any) -> list[str]:
        return [r.id for r in c.evals.runs.list(evaluation.id, **query).data]

    assert ids() == [done.id, canceled.id, queued.id]
    assert ids(order="desc", limit=2) == [queued.id, canceled.id]
    assert ids(after=done.id) == [canceled.id, queued.id]
    assert ids(status="completed") == [done.id]
    assert ids(status="canceled") == [canceled.id]
    assert ids(status="queued") == [queued.id]
    assert ids(status="failed") == []
    emulator.advance(1.5)
    assert ids(status="in_progress") == [queued.id]

    deleted = c.evals.runs.delete(done.id, eval_id=evaluation.id)
    assert (deleted.object, deleted.deleted, deleted.run_id) == ("eval.run.deleted", True, done.id)
    assert ids() == [canceled.id, queued.id]
    with pytest.raises(openai.NotFoundError) as caught:
        c.evals.runs.retrieve(done.id, eval_id=evaluation.id)
    assert error(caught) == (404, "run_id")

    c.evals.delete(evaluation.id)
    with pytest.raises(openai.NotFoundError) as caught:
        c.evals.runs.list(evaluation.id)
    assert error(caught) == (404, "eval_id")


def _scenario(emu: InProcessEmulator) -> list[dict[str, Any]]:
    """A run regenerated by another model and judged by a fake model, as JSON, after it completes."""
    store(emu, QUESTIONS, {"usecase": "quiz"})
    c = evals_client(emu, "openai")
    evaluation = stored_eval(c, [SIMILAR, JUDGE], usecase="quiz")
    source = {"type": "completions", "source": {"type": "stored_completions"}, "model": "gpt-4o-mini"}
    run = c.evals.runs.create(evaluation.id, data_source=source)
    emu.advance(10)
    items = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    return [
        c.evals.retrieve(evaluation.id).model_dump(),
        c.evals.runs.retrieve(run.id, eval_id=evaluation.id).model_dump(),
        *(i.model_dump() for i in items),
    ]


def test_runs_are_deterministic() -> None:
    with InProcessEmulator() as first, InProcessEmulator() as second:
        assert _scenario(first) == _scenario(second)


def test_evals_runs_and_items_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "evals.sqlite3")
    with InProcessEmulator(db_path=db) as first:
        before = _scenario(first)
        now = first.now()
    with InProcessEmulator(db_path=db, clock_start=now) as second:
        c = evals_client(second, "openai")
        evaluation, run, *items = before
        assert c.evals.retrieve(evaluation["id"]).model_dump() == evaluation
        assert c.evals.runs.retrieve(run["id"], eval_id=evaluation["id"]).model_dump() == run
        listed = c.evals.runs.output_items.list(run["id"], eval_id=evaluation["id"]).data
        assert [i.model_dump() for i in listed] == items


# Versions and headers


def test_evals_need_api_version_2025_04_01_preview_on_azure(emulator: Any) -> None:
    with pytest.raises(openai.NotFoundError):
        client(emulator, "azure", api_version="2025-03-01-preview").evals.list()
    assert client(emulator, "azure", api_version=API_VERSION).evals.list().data == []


@pytest.mark.parametrize("surface", SURFACES)
def test_the_aoai_evals_header_is_accepted_not_required(emulator: Any, surface: str) -> None:
    with_header = evals_client(emulator, surface, default_headers={"aoai-evals": "preview"})
    created = stored_eval(with_header, [SIMILAR])
    assert [e.id for e in evals_client(emulator, surface).evals.list().data] == [created.id]


# Errors


def test_unknown_ids_are_404_naming_the_param(emulator: Any) -> None:
    store(emulator, QUESTIONS[:1], {"usecase": "quiz"})
    c = evals_client(emulator, "openai")
    evaluation = stored_eval(c, [SIMILAR])
    run = c.evals.runs.create(
        evaluation.id, data_source={"type": "completions", "source": {"type": "stored_completions"}}
    )
    calls = [
        (lambda: c.evals.retrieve("eval_nope"), "eval_id"),
        (lambda: c.evals.update("eval_nope", name="x"), "eval_id"),
        (lambda: c.evals.delete("eval_nope"), "eval_id"),
        (
            lambda: c.evals.runs.create(
                "eval_nope", data_source={"type": "jsonl", "source": {"type": "file_content", "content": []}}
            ),
            "eval_id",
        ),
        (lambda: c.evals.runs.retrieve("evalrun_nope", eval_id=evaluation.id), "run_id"),
        (lambda: c.evals.runs.cancel("evalrun_nope", eval_id=evaluation.id), "run_id"),
        (lambda: c.evals.runs.delete("evalrun_nope", eval_id=evaluation.id), "run_id"),
        (lambda: c.evals.runs.output_items.list("evalrun_nope", eval_id=evaluation.id), "run_id"),
        (
            lambda: c.evals.runs.output_items.retrieve(
                "outputitem_nope", eval_id=evaluation.id, run_id=run.id
            ),
            "output_item_id",
        ),
        (lambda: c.evals.list(after="eval_nope"), "after"),
    ]
    for call, param in calls:
        with pytest.raises(openai.NotFoundError) as caught:
            call()
        assert error(caught) == (404, param)
    # An item not yet graded does not exist yet.
    emulator.advance(2)
    (item,) = c.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    assert c.evals.runs.output_items.retrieve(item.id, eval_id=evaluation.id, run_id=run.id).id == item.id


def test_unknown_ids_on_azure_use_its_envelope(emulator: Any) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        evals_client(emulator, "azure").evals.retrieve("eval_nope")
    assert caught.value.code == "notFound" and "eval_nope" in caught.value.message
    # Azure answers an unknown `after` with an empty page.
    assert evals_client(emulator, "azure").evals.list(after="eval_nope").data == []


BAD_CRITERIA = [
    ({**MENTIONS_PARIS, "operation": "contains"}, "testing_criteria[0].operation"),
    ({k: v for k, v in SIMILAR.items() if k != "pass_threshold"}, "testing_criteria[0].pass_threshold"),
    ({**SIMILAR, "evaluation_metric": "rouge_9"}, "testing_criteria[0].evaluation_metric"),
    ({**SIMILAR, "input": "{{answer}}"}, "testing_criteria[0].input"),
    ({**JUDGE, "passing_labels": ["great"]}, "testing_criteria[0].passing_labels"),
    ({**JUDGE, "input": []}, "testing_criteria[0].input"),
    ({**JUDGE, "input": [{"role": "robot", "content": "x"}]}, "testing_criteria[0].input[0].role"),
    ({"type": "python", "name": "py", "source": "def grade(s, i): return 1"}, "testing_criteria[0].type"),
    ({"type": "vibes", "name": "v"}, "testing_criteria[0].type"),
    ({**MENTIONS_PARIS, "extra": 1}, "testing_criteria[0].extra"),
    ({k: v for k, v in MENTIONS_PARIS.items() if k != "name"}, "testing_criteria[0].name"),
    (
        {"type": "score_model", "name": "s", "model": "gpt-4o", "input": JUDGE["input"], "range": [1, 1]},
        "testing_criteria[0].range",
    ),
]


@pytest.mark.parametrize(("criterion", "param"), BAD_CRITERIA)
def test_bad_testing_criteria_are_400_naming_the_param(
    emulator: Any, criterion: dict[str, Any], param: str
) -> None:
    for surface in ("openai", "azure"):
        with pytest.raises(openai.BadRequestError) as caught:
            stored_eval(evals_client(emulator, surface), [criterion])
        assert error(caught) == (400, param)


def test_bad_eval_bodies_are_400(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    cases = [
        ({"data_source_config": {"type": "stored_completions"}, "testing_criteria": []}, "testing_criteria"),
        ({"data_source_config": {"type": "files"}, "testing_criteria": [SIMILAR]}, "data_source_config.type"),
        (
            {"data_source_config": {"type": "custom"}, "testing_criteria": [SIMILAR]},
            "data_source_config.item_schema",
        ),
        ({"testing_criteria": [SIMILAR]}, "data_source_config"),
        (
            {"data_source_config": {"type": "logs"}, "testing_criteria": [SIMILAR], "metadata": {"k": 1}},
            "metadata",
        ),
        (
            {
                "data_source_config": {
                    "type": "custom",
                    "item_schema": {"type": "object", "properties": {"q": {}}},
                },
                "testing_criteria": [{**MENTIONS_PARIS, "input": "{{item.answer}}"}],
            },
            "testing_criteria[0].input",
        ),
    ]
    for body, param in cases:
        with pytest.raises(openai.BadRequestError) as caught:
            c.post("/evals", body=body, cast_to=object)
        assert error(caught) == (400, param), body
    with pytest.raises(openai.BadRequestError) as caught:
        c.evals.list(order_by="name")  # type: ignore[arg-type]
    assert error(caught) == (400, "order_by")


def test_bad_run_bodies_are_400(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    stored = stored_eval(c, [SIMILAR])
    custom = custom_eval(
        c, ["answer"], [{**MENTIONS_PARIS, "input": "{{item.answer}}"}], required=True, sample=False
    )
    file_content = {
        "type": "file_content",
        "content": [{"item": {"answer": "Paris"}}, {"item": {"answer": 3}}],
    }
    cases = [
        (stored.id, {"type": "jsonl", "source": {"type": "file_content", "content": []}}, "data_source.type"),
        (stored.id, {"type": "responses", "source": {"type": "responses"}}, "data_source.type"),
        (custom.id, {"type": "jsonl", "source": {"type": "stored_completions"}}, "data_source.source.type"),
        (custom.id, {"type": "jsonl", "source": file_content}, "data_source.source.content[1].item.answer"),
        (
            custom.id,
            {"type": "jsonl", "source": {"type": "file_content", "content": [{"item": {}}]}},
            "data_source.source.content[0].item.answer",
        ),
        (
            stored.id,
            {"type": "completions", "source": {"type": "stored_completions"}, "model": "gpt-9"},
            "data_source.model",
        ),
        (
            stored.id,
            {
                "type": "completions",
                "source": {"type": "stored_completions"},
                "input_messages": {"type": "item_reference", "item_reference": "item.input"},
            },
            "data_source.model",
        ),
        (
            custom.id,
            {"type": "completions", "source": file_content, "model": "gpt-4o"},
            "data_source.input_messages",
        ),
        (
            stored.id,
            {"type": "completions", "source": {"type": "stored_completions", "limit": 0}},
            "data_source.source.limit",
        ),
        (
            stored.id,
            {
                "type": "completions",
                "source": {"type": "stored_completions"},
                "model": "gpt-4o",
                "sampling_params": {"temperature": 3},
            },
            "data_source.sampling_params.temperature",
        ),
        (
            stored.id,
            {
                "type": "completions",
                "source": {"type": "stored_completions"},
                "model": "gpt-4o",
                "sampling_params": {"response_format": {"type": "xml"}},
            },
            "data_source.sampling_params.response_format.type",
        ),
        (
            stored.id,
            {
                "type": "completions",
                "source": {"type": "stored_completions"},
                "model": "gpt-4o",
                "sampling_params": {"tools": ["get_weather"]},
            },
            "data_source.sampling_params.tools",
        ),
    ]
    for eval_id, data_source, param in cases:
        with pytest.raises(openai.BadRequestError) as caught:
            c.evals.runs.create(eval_id, data_source=data_source)
        assert error(caught) == (400, param), data_source
    for name, value in (("status", "done"), ("order", "sideways")):
        with pytest.raises(openai.BadRequestError) as caught:
            c.evals.runs.list(stored.id, **{name: value})
        assert error(caught) == (400, name)


def test_a_reset_forgets_the_evals_with_the_rest_of_the_state(emulator: Any) -> None:
    c = evals_client(emulator, "openai")
    made = stored_eval(c, [MENTIONS_PARIS])
    assert [e.id for e in c.evals.list().data] == [made.id]
    emulator.reset()
    assert c.evals.list().data == []
    with pytest.raises(openai.NotFoundError):
        c.evals.retrieve(made.id)

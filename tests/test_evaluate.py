"""The Evaluate extension: stored completions by filter → an eval data file → an eval → a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest

from emulator.cli.main import main
from emulator.control.api import EvaluationRefused
from emulator.testing import LiveEmulator
from tests.test_evals import MENTIONS_PARIS, QUESTIONS, SIMILAR, evals_client, store

PATH = "/_emulator/evaluate"


def evaluate(emulator: Any, body: dict[str, Any]) -> Any:
    with emulator.http_client() as http:
        return http.post(PATH, json=body, headers={"api-key": emulator.key})


def test_evaluate_stored_answers_as_they_are(emulator: Any) -> None:
    answers = store(emulator, QUESTIONS, {"usecase": "quiz"})
    store(emulator, ["Elsewhere?"], {"usecase": "other"})
    response = evaluate(
        emulator, {"metadata": {"usecase": "quiz"}, "testing_criteria": [SIMILAR, MENTIONS_PARIS]}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["object"] == "evaluation"
    assert body["file"]["purpose"] == "evals" and body["file"]["lines"] == 4
    assert body["file"]["filename"].startswith("evaluation-") and body["file"]["filename"].endswith(".jsonl")
    assert body["eval"]["name"] == "Evaluation of 4 stored completions"
    assert body["eval"]["data_source_config"]["type"] == "custom"
    assert body["run"]["data_source"] == {
        "type": "jsonl",
        "source": {"type": "file_id", "id": body["file"]["id"]},
    }
    assert body["run"]["status"] == "queued"

    c = evals_client(emulator, "openai")
    emulator.advance(5)
    run = c.evals.runs.retrieve(body["run"]["id"], eval_id=body["eval"]["id"])
    assert run.status == "completed" and run.result_counts.total == 4
    assert run.per_testing_criteria_results[0].passed == 4  # the stored answer is its own reference
    items = c.evals.runs.output_items.list(run.id, eval_id=run.eval_id).data
    assert [i.datasource_item["completion_id"] for i in items] == [a.id for a in reversed(answers)]
    assert items[0].sample.output[0].content == answers[-1].choices[0].message.content
    # as the service says, the evaluation data file cannot be downloaded
    with pytest.raises(openai.PermissionDeniedError) as closed:
        c.files.content(body["file"]["id"])
    assert closed.value.code == "file_not_downloadable" and "made by evaluation" in closed.value.message


def test_evaluate_generates_again_with_another_model(emulator: Any) -> None:
    answers = store(emulator, QUESTIONS, {"usecase": "quiz"})
    response = evaluate(
        emulator,
        {
            "ids": [answers[0].id, answers[2].id],
            "name": "student",
            "generate_with": "gpt-4o-mini",
            "sampling_params": {"seed": 1},
            "testing_criteria": [SIMILAR],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["eval"]["name"] == "student" and body["run"]["model"] == "gpt-4o-mini"
    c = evals_client(emulator, "azure")
    emulator.advance(5)
    run = c.evals.runs.retrieve(body["run"]["id"], eval_id=body["eval"]["id"])
    (usage,) = run.per_model_usage
    assert (usage.run_model_name, usage.invocation_count) == ("gpt-4o-mini", 2)
    items = c.evals.runs.output_items.list(run.id, eval_id=run.eval_id).data
    assert [i.datasource_item["completion_id"] for i in items] == [answers[0].id, answers[2].id]
    assert all(i.sample.model == "gpt-4o-mini-2024-07-18" and i.sample.seed == 1 for i in items)


def test_the_data_file_holds_one_item_per_completion(inprocess: Any) -> None:
    answers = store(inprocess, QUESTIONS[:2], {"usecase": "quiz"})
    body = evaluate(inprocess, {"model": "gpt-4o", "limit": 1, "testing_criteria": [SIMILAR]}).json()
    content = inprocess.call(inprocess.runtime.files.read_content, body["file"]["id"])
    (line,) = [json.loads(x) for x in content.decode().splitlines()]
    assert line["item"]["completion_id"] == answers[-1].id
    assert line["item"]["input"] == [{"role": "user", "content": QUESTIONS[1]}]
    assert line["sample"]["output_text"] == answers[-1].choices[0].message.content


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"testing_criteria": [SIMILAR]}, "metadata"),  # nothing stored matches
        ({"metadata": {"usecase": "quiz"}}, "testing_criteria"),
        ({"testing_criteria": [{**SIMILAR, "input": "{{item.answer}}"}]}, "testing_criteria[0].input"),
        ({"ids": ["chatcmpl-nope"], "testing_criteria": [SIMILAR]}, "ids"),
        ({"limit": 0, "testing_criteria": [SIMILAR]}, "limit"),
        ({"colour": "red", "testing_criteria": [SIMILAR]}, "colour"),
        ({"generate_with": "gpt-9", "testing_criteria": [SIMILAR]}, "generate_with"),
        (
            {"generate_with": "gpt-4o", "sampling_params": {"top_p": 2}, "testing_criteria": [SIMILAR]},
            "data_source.sampling_params.top_p",
        ),
    ],
)
def test_evaluate_errors(emulator: Any, body: dict[str, Any], param: str) -> None:
    if param != "metadata":
        store(emulator, QUESTIONS[:1], {"usecase": "quiz"})
    response = evaluate(emulator, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert evals_client(emulator, "openai").evals.list().data == []  # nothing is made by a refused request


def test_python_api(emulator: Any) -> None:
    answers = store(emulator, QUESTIONS[:3], {"usecase": "quiz"})
    made = emulator.evaluate([SIMILAR], metadata={"usecase": "quiz"}, generate_with="gpt-4o", name="again")
    assert made["eval"]["name"] == "again" and made["file"]["lines"] == len(answers)
    emulator.advance(5)
    run = evals_client(emulator, "openai").evals.runs.retrieve(made["run"]["id"], eval_id=made["eval"]["id"])
    assert run.status == "completed" and run.result_counts.total == 3
    with pytest.raises(EvaluationRefused) as caught:
        emulator.evaluate([SIMILAR], metadata={"usecase": "none"})
    assert caught.value.param == "metadata" and "No stored completions match" in caught.value.message


def test_cli_against_a_running_emulator(
    live_server: LiveEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live_server.reset()
    answers = store(live_server, QUESTIONS[:2], {"usecase": "quiz"})
    criteria = tmp_path / "criteria.json"
    criteria.write_text(json.dumps([SIMILAR]))
    common = [
        "evaluate",
        "--endpoint",
        live_server.endpoint,
        "--api-key",
        live_server.key,
        "--criteria",
        str(criteria),
    ]
    assert main([*common, "--metadata", "usecase=quiz", "--id", answers[1].id, "--name", "cli"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["eval"]["name"] == "cli" and made["file"]["lines"] == 1
    assert made["run"]["status"] == "queued"

    assert main([*common, "--metadata", "usecase=none"]) == 1
    assert "No stored completions match" in capsys.readouterr().err
    assert main([*common, "--metadata", "nonsense"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err

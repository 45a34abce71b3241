"""Distillation, end to end, as a user would run it offline (seed 002's four steps):

1. store a large model's answers with metadata;
2. evaluate the small model against them (the baseline);
3. distill the stored completions into a training set and fine-tune the small model on it;
4. deploy the fine-tuned small model and evaluate it again.
"""

from __future__ import annotations

from typing import Any

TOPICS = [
    "Ensemble methods combine several models into one more robust predictor.",
    "Gradient boosting trains trees in sequence, each correcting the last one's errors.",
    "Random forests train decision trees on random subsets of the features.",
    "Stacking uses a meta-model to combine the predictions of base models.",
    "Dropout randomly disables neurons during training to reduce overfitting.",
    "Batch normalisation rescales a layer's inputs to stabilise training.",
    "Cross-validation estimates how well a model generalises to unseen data.",
    "Regularisation penalises large weights to keep a model simple.",
    "Transfer learning reuses a model trained on one task for another task.",
    "Attention lets a model weigh the parts of its input that matter most.",
    "Early stopping ends training when the validation loss stops improving.",
    "Data augmentation enlarges a training set with altered copies of examples.",
]
SYSTEM = "Summarise the technical content in one clear sentence."
TAG = {"task": "ml-summaries"}
SAME_AS_TEACHER = {
    "type": "text_similarity",
    "name": "matches the teacher",
    "input": "{{sample.output_text}}",
    "reference": "{{item.output_text}}",  # the teacher's stored answer
    "evaluation_metric": "rouge_l",
    "pass_threshold": 0.99,
}


def test_distil_gpt_4o_into_gpt_4o_mini(emulator: Any) -> None:
    client = emulator.azure_client()  # api-version 2025-04-01-preview: stored completions and evals

    # 1. The teacher answers, and its answers are stored with a tag.
    teacher_answers = []
    for topic in TOPICS:
        stored = client.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": topic}],
            store=True,
            metadata=TAG,
        )
        teacher_answers.append(stored.choices[0].message.content)

    # 2. One eval over the tagged completions; each run answers again with a model and is graded
    #    against the teacher's stored answer.
    evaluation = client.evals.create(
        name="student vs teacher",
        data_source_config={"type": "stored_completions", "metadata": TAG},
        testing_criteria=[SAME_AS_TEACHER],
    )

    def passed(model: str | None) -> int:
        source: dict[str, Any] = {"type": "stored_completions", "metadata": TAG}
        data_source: dict[str, Any] = {"type": "completions", "source": source}
        if model is not None:
            data_source["model"] = model
            data_source["input_messages"] = {"type": "item_reference", "item_reference": "item.input"}
        run = client.evals.runs.create(evaluation.id, name=model or "teacher", data_source=data_source)
        emulator.advance(60)  # runs progress on the clock
        run = client.evals.runs.retrieve(run.id, eval_id=evaluation.id)
        assert run.status == "completed" and run.result_counts.total == len(TOPICS)
        return int(run.result_counts.passed)

    teacher = passed(None)  # the stored answers as they are
    baseline = passed("gpt-4o-mini")
    assert teacher == len(TOPICS) and baseline < teacher, (teacher, baseline)

    # 3. Distill: the tagged completions become a training file and a fine-tuning job of the student.
    distilled = emulator.distill("gpt-4o-mini", metadata=TAG, suffix="summaries")
    assert distilled["completions"] == len(TOPICS)
    emulator.settle_jobs()  # move the clock to when the job has finished
    job = client.fine_tuning.jobs.retrieve(distilled["job"]["id"])
    assert job.status == "succeeded"

    # 4. Deploy the fine-tuned student, call it, and evaluate it again.
    emulator.create_deployment("summaries-student", job.fine_tuned_model)
    answer = client.chat.completions.create(
        model="summaries-student",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": TOPICS[0]}],
    )
    assert answer.model == job.fine_tuned_model
    assert answer.choices[0].message.content == teacher_answers[0]
    assert passed("summaries-student") == teacher

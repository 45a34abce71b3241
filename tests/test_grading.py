"""Graders and similarity metrics, against values worked out by hand."""

from __future__ import annotations

import json
import math
import random

import pytest

from emulator.api.evals import grading, similarity, templating

# Candidate and reference used by most metric tests. Words (lowercased):
#   C = the cat sat on the mat    (6 words)
#   R = the cat is  on the mat    (6 words)
C = "The cat sat on the mat."
R = "the cat is on the mat"


def test_rouge_1_is_clipped_unigram_f1() -> None:
    # Shared unigrams, clipped: the×2, cat, on, mat = 5 → P = R = 5/6 → F1 = 5/6.
    assert similarity.rouge_n(C, R, 1) == pytest.approx(5 / 6)


def test_rouge_2_counts_shared_bigrams() -> None:
    # C bigrams: the cat, cat sat, sat on, on the, the mat; R: the cat, cat is, is on, on the, the mat.
    # Shared: the cat, on the, the mat = 3 of 5 each side → F1 = 3/5.
    assert similarity.rouge_n(C, R, 2) == pytest.approx(3 / 5)


def test_rouge_3_to_5() -> None:
    # Trigrams: only "on the mat" is shared, of 4 per side → 1/4. No 4-gram or 5-gram is shared.
    assert similarity.rouge_n(C, R, 3) == pytest.approx(1 / 4)
    assert similarity.rouge_n(C, R, 4) == 0.0
    assert similarity.rouge_n(C, R, 5) == 0.0


def test_rouge_l_uses_the_longest_common_subsequence() -> None:
    # LCS = the cat on the mat (5 words) → P = R = 5/6.
    assert similarity.rouge_l(C, R) == pytest.approx(5 / 6)
    # Order matters for ROUGE-L but not for ROUGE-1: "b a" vs "a b" has LCS 1 → F1 = 1/2.
    assert similarity.rouge_l("b a", "a b") == pytest.approx(0.5)
    assert similarity.rouge_n("b a", "a b", 1) == pytest.approx(1.0)


def test_gleu_is_min_of_precision_and_recall_over_all_ngrams() -> None:
    # 1..4-grams: 6+5+4+3 = 18 per side; shared: 5 + 3 + 1 + 0 = 9 → 9/18.
    assert similarity.gleu(C, R) == pytest.approx(0.5)


def test_bleu_smooths_an_empty_order_with_one_tenth() -> None:
    # p1 = 5/6, p2 = 3/5, p3 = 1/4, p4 = 0.1/3 (no shared 4-gram); equal lengths → no brevity penalty.
    # Product 5/6 · 3/5 · 1/4 · 1/30 = 1/240; BLEU = (1/240)^(1/4).
    assert similarity.bleu(C, R) == pytest.approx((1 / 240) ** 0.25)


def test_bleu_brevity_penalty_and_zero_cases() -> None:
    # "the cat" against "the cat sat": p1 = 1, p2 = 1, p3 = p4 = 0.1/1; BP = exp(1 - 3/2).
    expected = math.exp(1 - 3 / 2) * (1 * 1 * 0.1 * 0.1) ** 0.25
    assert similarity.bleu("the cat", "the cat sat") == pytest.approx(expected)
    assert similarity.bleu("dog", "the cat") == 0.0
    assert similarity.bleu("", "the cat") == 0.0


def test_meteor_penalises_fragmentation() -> None:
    # Alignment the→0, cat→1, on→3, the→4, mat→5: 5 matches in 2 chunks (sat breaks the run).
    # P = R = 5/6 → Fmean = 5/6; penalty = 0.5 · (2/5)^3 = 0.032 → 5/6 · 0.968.
    assert similarity.meteor(C, R) == pytest.approx(5 / 6 * 0.968)
    assert similarity.meteor("a b c", "a b c") == pytest.approx(1 - 0.5 * (1 / 3) ** 3)
    assert similarity.meteor("x", "y") == 0.0


def test_cosine_is_bag_of_words() -> None:
    # C counts the:2 cat sat on mat; R the:2 cat is on mat. Dot = 4+1+1+1 = 7; norms √8 · √8 → 7/8.
    assert similarity.cosine(C, R) == pytest.approx(7 / 8)
    assert similarity.cosine("", "x") == 0.0


def test_fuzzy_match_is_indel_similarity_on_characters() -> None:
    # kitten / sitting: character LCS "ittn" = 4 → 2·4 / (6 + 7) = 8/13.
    assert similarity.fuzzy_match("kitten", "sitting") == pytest.approx(8 / 13)
    assert similarity.fuzzy_match("", "") == 1.0
    assert similarity.fuzzy_match("abc", "abc") == 1.0


def test_bit_parallel_lcs_matches_dynamic_programming() -> None:
    rng = random.Random(7)

    def slow(a: str, b: str) -> int:
        table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
        return table[-1][-1]

    for _ in range(200):
        a = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 30)))
        b = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 30)))
        assert similarity.lcs_length(a, b) == slow(a, b), (a, b)


def test_every_metric_gives_one_on_identical_text() -> None:
    text = "a stored answer that is exactly the same on both sides"  # 11 words
    for name, metric in similarity.METRICS.items():
        # METEOR keeps its fragmentation penalty even for one whole chunk: 1 - 0.5 · (1/11)^3.
        expected = 1 - 0.5 * (1 / 11) ** 3 if name == "meteor" else 1.0
        assert metric(text, text) == pytest.approx(expected), name


@pytest.mark.parametrize(
    ("operation", "value", "reference", "passed"),
    [
        ("eq", "Markets", "Markets", True),
        ("eq", "Markets", "markets", False),
        ("ne", "Markets", "Sports", True),
        ("ne", "Markets", "Markets", False),
        ("like", "The Markets rally", "Markets", True),
        ("like", "The markets rally", "Markets", False),
        ("ilike", "The markets rally", "MARKETS", True),
        ("ilike", "The sports page", "markets", False),
    ],
)
def test_string_check(operation: str, value: str, reference: str, passed: bool) -> None:
    criterion = {
        "type": "string_check",
        "name": "check",
        "input": "{{sample.output_text}}",
        "reference": "{{item.ground_truth}}",
        "operation": operation,
    }
    result = grading.grade(criterion, {"item": {"ground_truth": reference}, "sample": {"output_text": value}})
    assert (result.passed, result.score) == (passed, 1.0 if passed else 0.0)


def test_text_similarity_grader_renders_templates_and_applies_the_threshold() -> None:
    criterion = {
        "type": "text_similarity",
        "name": "close",
        "input": "{{sample.output_text}}",
        "reference": "{{item.reference}}",
        "evaluation_metric": "rouge_1",
        "pass_threshold": 0.8,
    }
    context = {"item": {"reference": R}, "sample": {"output_text": C}}
    assert grading.grade(criterion, context).score == pytest.approx(5 / 6)
    assert grading.grade(criterion, context).passed
    assert not grading.grade({**criterion, "pass_threshold": 0.9}, context).passed


def test_missing_template_variable_is_a_grader_error_not_a_crash() -> None:
    criterion = {
        "type": "string_check",
        "name": "check",
        "input": "{{item.nope}}",
        "reference": "x",
        "operation": "eq",
    }
    result = grading.grade(criterion, {"item": {}, "sample": {}})
    assert not result.passed and result.error is not None and "item.nope" in result.error


def test_templates_reach_into_lists_and_render_non_strings_as_json() -> None:
    context = {"item": {"input": [{"role": "user", "content": "hi"}], "n": 3}, "sample": {}}
    assert templating.render("{{item.input[0].content}}/{{item.input.0.role}}", context) == "hi/user"
    assert templating.render("{{ item.n }} {{item.input}}", context) == '3 [{"role":"user","content":"hi"}]'
    assert templating.bad_variable("{{item.a}} {{sample.output_text}}") is None
    assert templating.bad_variable("{{items.a}}") == "items.a"
    assert templating.bad_variable("{{item}}") == "item"


def _judge_input(text: str) -> list[dict[str, object]]:
    return [{"type": "message", "role": "user", "content": {"type": "input_text", "text": text}}]


def test_label_model_fake_compares_the_sample_with_the_mentioned_reference() -> None:
    criterion = {
        "type": "label_model",
        "name": "judge",
        "model": "gpt-4o",
        "input": _judge_input("Answer: {{sample.output_text}}\nExpected: {{item.reference}}"),
        "labels": ["correct", "partly", "incorrect"],
        "passing_labels": ["correct", "partly"],
    }
    same = grading.grade(criterion, {"item": {"reference": R}, "sample": {"output_text": R}})
    other = grading.grade(criterion, {"item": {"reference": R}, "sample": {"output_text": "dogs bark"}})
    assert same.passed and same.score == 1.0
    assert not other.passed and other.score == 0.0
    assert json_result(other) == "incorrect"
    assert same.usage is not None and same.usage.model == "gpt-4o" and same.usage.prompt_tokens > 0


def json_result(grade: grading.Grade) -> object:
    assert grade.sample is not None
    return json.loads(grade.sample["output"][0]["content"])["result"]


def test_label_model_fake_without_a_reference_is_a_stable_hash() -> None:
    criterion = {
        "type": "label_model",
        "name": "tone",
        "model": "gpt-4o",
        "input": _judge_input("Classify the tone of: {{item.text}}"),
        "labels": ["positive", "neutral", "negative"],
        "passing_labels": ["positive"],
    }
    labels = [
        json_result(grading.grade(criterion, {"item": {"text": f"text {i}"}, "sample": {}}))
        for i in range(30)
    ]
    again = [
        json_result(grading.grade(criterion, {"item": {"text": f"text {i}"}, "sample": {}}))
        for i in range(30)
    ]
    assert labels == again
    assert set(labels) == {"positive", "neutral", "negative"}


def test_score_model_fake_maps_similarity_onto_the_range() -> None:
    criterion = {
        "type": "score_model",
        "name": "score",
        "model": "gpt-4o",
        "input": _judge_input("Rate {{sample.output_text}} against {{item.reference}}"),
        "range": [1, 5],
    }
    # ROUGE-L of C against R is 5/6 → 1 + 5/6 · 4; the default threshold is the middle, 3.
    result = grading.grade(criterion, {"item": {"reference": R}, "sample": {"output_text": C}})
    assert result.score == pytest.approx(1 + 4 * 5 / 6)
    assert result.passed
    low = grading.grade(criterion, {"item": {"reference": R}, "sample": {"output_text": "zebra"}})
    assert low.score == 1.0 and not low.passed
    strict = grading.grade(
        {**criterion, "pass_threshold": 4.9}, {"item": {"reference": R}, "sample": {"output_text": C}}
    )
    assert not strict.passed

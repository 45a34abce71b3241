"""The deterministic model's pure functions: no emulator, no SDK."""

from __future__ import annotations

import emulator.model as model_module
from emulator.model import Sampling, Shape, generate, tokens
from tests.test_model_tokens import COOKBOOK_MESSAGES, WEATHER_MESSAGES, WEATHER_TOOL

SEED_001_ANSWER = (
    "Ensemble methods enhance machine learning performance by combining multiple models to create a more "
    "robust and accurate predictor. The key techniques include:\n\n1. **Bagging (Bootstrap Aggregating)**: "
    "Involves training multiple models on random subsets of the data to reduce variance and overfitting. A "
    "popular method within bagging is Random Forests, which build numerous decision trees using random "
    "subsets of features and data samples.\n\n2. **Boosting**: Focuses on sequentially training models, "
    "where each new model attempts to correct the errors made by previous ones. Gradient Boosting is a "
    "common boosting technique that builds trees sequentially, concentrating on the mistakes of earlier "
    "trees to improve accuracy.\n\n3. **Stacking**: Uses a meta-model to combine predictions from various "
    "base models, leveraging their strengths to enhance overall predictions.\n\nThese ensemble methods "
    "generally outperform individual models because they effectively handle overfitting, reduce variance, "
    "and capture diverse aspects of the data. In practical applications, they are valued for their ability "
    "to improve model accuracy and stability."
)


def test_encoding_per_model_family() -> None:
    for model in ("gpt-4o-2024-08-06", "gpt-4o-mini", "gpt-4.1-nano-2025-04-14", "o3-mini", "gpt-5"):
        assert tokens.encoding_name(model) == "o200k_base"
    for model in ("gpt-4", "gpt-4-0613", "gpt-35-turbo", "gpt-3.5-turbo-0125"):
        assert tokens.encoding_name(model) == "cl100k_base"


def test_cl100k_counts_match_the_cookbook() -> None:
    # OpenAI cookbook "How to count tokens with tiktoken": gpt-4 reports 129 for the jargon example
    # (section 6) and 105 for the weather tool example (section 7).
    assert tokens.count_messages(COOKBOOK_MESSAGES, "gpt-4-0613") == 129
    weather = tokens.count_messages(WEATHER_MESSAGES, "gpt-4") + tokens.count_tools([WEATHER_TOOL], "gpt-4")
    assert weather == 105


def test_seed_001_answer_counts_205_tokens() -> None:
    # Seed 001 reports completion_tokens 205 for this answer from gpt-4o-2024-08-06.
    assert tokens.count(SEED_001_ANSWER, "gpt-4o-2024-08-06") == 205


def test_pieces_rejoin_to_the_text_even_inside_multibyte_characters() -> None:
    text = "naïve café — 東京 🎉 done"
    assert "".join(tokens.pieces(text, "gpt-4o")) == text
    assert "".join(tokens.pieces(text, "gpt-4")) == text


def test_truncate_keeps_exactly_the_first_tokens() -> None:
    text = "The quick brown fox jumps over the lazy dog."
    assert tokens.truncate(text, 3, "gpt-4o") == "The quick brown"
    assert tokens.truncate(text, 100, "gpt-4o") == text


def test_structured_values_satisfy_the_schema_for_many_requests() -> None:
    import datetime
    import random
    import uuid

    import jsonschema

    from emulator.model.structured import Vocabulary, instance
    from tests.test_model_structured import RICH_SCHEMA, TREE_SCHEMA

    vocab = Vocabulary("Alice Smith and Bob Jones are going to the Science Fair in Seattle on Friday.")
    for seed in range(60):
        value = instance(RICH_SCHEMA, vocab, random.Random(seed))
        jsonschema.validate(value, RICH_SCHEMA)
        datetime.datetime.fromisoformat(value["starts_at"].replace("Z", "+00:00"))
        datetime.date.fromisoformat(value["day"])
        assert uuid.UUID(value["ticket"]).version == 4
        assert value["website"].startswith("https://")
        jsonschema.validate(instance(TREE_SCHEMA, vocab, random.Random(seed)), TREE_SCHEMA)


def test_structured_bounds_at_their_edges() -> None:
    import random

    from emulator.model.structured import SchemaError, Vocabulary, instance

    vocab = Vocabulary("")
    tight = {"type": "integer", "exclusiveMinimum": 4, "exclusiveMaximum": 6}
    assert {instance(tight, vocab, random.Random(s)) for s in range(20)} == {5}
    far = {"type": "integer", "minimum": 1000000, "multipleOf": 7}
    assert all(
        v >= 1000000 and v % 7 == 0 for v in (instance(far, vocab, random.Random(s)) for s in range(20))
    )
    assert instance({"type": "string", "minLength": 30}, vocab, random.Random(0)).__len__() >= 30
    assert instance({"type": "array", "maxItems": 0}, vocab, random.Random(0)) == []
    assert instance({"const": {"a": 1}}, vocab, random.Random(0)) == {"a": 1}
    try:
        instance({"$ref": "#/$defs/missing"}, vocab, random.Random(0))
    except SchemaError as error:
        assert "#/$defs/missing" in str(error)
    else:
        raise AssertionError("an unresolvable $ref must be reported")


def test_how_to_answers_are_generic_but_sensible() -> None:
    import random

    from emulator.model import writer
    from emulator.model.variation import Variation

    def write(prompt: str) -> str:
        return writer.write("", prompt, "", Variation(0, random.Random(0)))

    answer = write("How do I bake bread?")
    assert answer.splitlines()[0] in (
        "To bake bread, follow these steps:",
        "Here is how to bake bread:",
        "You can bake bread in a few steps:",
    )
    assert "settings" not in answer and "bake bread" in answer.splitlines()[2]
    assert len(write("Write a poem about autumn leaves").splitlines()) == 4
    assert "Rayleigh scattering" in write("Why is the sky blue?")


def test_a_repeated_request_gets_the_same_answer_and_every_setting_still_counts() -> None:
    """Answers are kept for repeated requests; nothing that shapes an answer may be left out of that."""
    messages = [{"role": "user", "content": "Explain why the sky looks blue on a clear afternoon."}]
    model = "gpt-4o-2024-08-06"
    plain = generate(messages, model, Sampling(seed=7))
    assert generate(messages, model, Sampling(seed=7)) == plain
    assert generate([dict(m) for m in messages], model, Sampling(seed=7)).choices == plain.choices

    variants = {
        "max_tokens": generate(messages, model, Sampling(seed=7, max_tokens=2)),
        "stop": generate(messages, model, Sampling(seed=7, stop=((plain.choices[0].content or "")[5:9],))),
        "n": generate(messages, model, Sampling(seed=7, n=2)),
        "logprobs": generate(messages, model, Sampling(seed=7), Shape(logprobs=True, top_logprobs=2)),
        "seed": generate(messages, model, Sampling(seed=8)),
    }
    assert variants["max_tokens"].choices[0].finish_reason == "length"
    assert variants["max_tokens"].choices[0].completion_tokens == 2
    assert len(variants["stop"].choices[0].content or "") < len(plain.choices[0].content or "")
    assert len(variants["n"].choices) == 2
    first_entry = (variants["logprobs"].choices[0].logprobs or [{}])[0]
    assert plain.choices[0].logprobs is None and len(first_entry["top_logprobs"]) == 2
    assert variants["seed"].digest != plain.digest
    # and the plain request, asked again after all of them, is answered as it was the first time
    assert generate(messages, model, Sampling(seed=7)) == plain
    # answers with log probabilities (megabytes, at worst) are made again rather than kept
    assert not any(shape_logprobs for *_, shape_logprobs, _ in model_module._ANSWERED)


def test_summaries_kept_by_sentence_match_summaries_made_afresh() -> None:
    """Summaries reuse their plan of a text seen before; a text that differs only in an aside's
    words or in a sentence's number must still get its own summary."""
    import random

    from emulator.model import summary, text
    from emulator.model.variation import Variation

    base = (
        "Ensemble methods combine multiple machine learning models to create a more robust predictor. "
        "Random Forests, a popular bagging method, create multiple decision trees using random subsets. "
        "Gradient Boosting builds trees sequentially, with each tree correcting the errors of earlier trees. "
        "These methods often achieve better performance than single models by reducing overfitting. "
    )
    variants = [
        base + "(Sample 1.)",
        base + "(Sample 2.)",
        base + "Zebra zebra! Zebra zebra! Zebra zebra!",  # stretches too short to be sentences
        base + "Okapi okapi! Okapi okapi! Okapi okapi!",
        base.replace("multiple decision", "12 decision") + "(Sample 1.)",
        base.replace("Random Forests,", "Random forests,") + "(Sample 1.)",
    ]

    def summarise(variant: str) -> str:
        return summary.summarise(variant, Variation(5, random.Random(5)), 3)

    kept = [summarise(v) for v in variants]
    for memo in (text._FRAGMENTS, summary._PLANS):
        memo._values.clear()
    fresh = []
    for variant in variants:
        fresh.append(summarise(variant))
        for memo in (text._FRAGMENTS, summary._PLANS):
            memo._values.clear()
    assert kept == fresh
    assert all(len(k) < len(v) for k, v in zip(kept, variants, strict=True))
    assert len(set(kept)) >= 3, "the variants should not all read alike"

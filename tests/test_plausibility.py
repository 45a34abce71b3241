"""The deterministic model answers the way a model would, over a fixed, varied set of prompts.

Each prompt has a kind and what its answer must show: an exact number for arithmetic, a direct sentence
for a question, a summary shorter than its text, three lines for a haiku, N items for a list, the
prompt's own values in structured output. For every prompt: `n=3` gives three different choices, seeds
11 and 12 differ, the same seed gives the same answer, proper nouns keep their case and no word of the
system prompt alone leaks into the answer. The per-prompt checks call the model layer; a representative
part runs through the openai SDK as well.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from emulator.model import Sampling, Shape, generate
from tests.surfaces import MODEL, MODEL_NAME, client

SYSTEM = "You are Zephyrine, a meticulous culinary concierge. Keep replies courteous."
SYSTEM_ONLY_WORDS = ("zephyrine", "meticulous", "culinary", "concierge", "courteous")
TEMPLATE_PHRASES = (
    "best understood through",
    "it depends on the details",
    "purpose:",
    "here is how to think about",
    "three questions",
    "comes down to a few reasons",
    "you mentioned",
    "connects closely to",
)
LONG_TEXT = (
    "The Great Barrier Reef is the world's largest coral reef system, stretching for over 2,300 kilometres "
    "off the coast of Queensland, Australia. It is made up of nearly 3,000 individual reefs and 900 islands. "
    "The reef supports a huge diversity of life, including many endangered species. Rising sea temperatures "
    "have caused several mass bleaching events since 1998, which scientists link to climate change. "
    "Conservation groups and the Australian government are working to reduce pollution and protect the reef."
)
SHORT_TEXT = (
    "Marie Curie was a physicist and chemist who conducted pioneering research on radioactivity. She was the "
    "first woman to win a Nobel Prize, and the only person to win Nobel Prizes in two different sciences. "
    "Her work led to the discovery of polonium and radium."
)
TECH_TEXT = (
    "Kubernetes is an open-source system for automating the deployment, scaling and management of "
    "containerised applications. It groups containers into logical units called pods. A control plane "
    "schedules pods onto nodes and restarts them when they fail. Services give a stable address to a set "
    "of pods, while ingress rules route outside traffic to the right service."
)
CITY_TEXT = (
    "Lisbon is the capital of Portugal and one of the oldest cities in western Europe. It is built on seven "
    "hills overlooking the Tagus river. Much of the city was rebuilt after a devastating earthquake in 1755. "
    "Today Lisbon is known for its trams, tiled facades and custard tarts."
)
PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer"},
        "city": {"type": "string"},
        "email": {"type": "string", "format": "email"},
    },
    "required": ["name", "age", "city", "email"],
    "additionalProperties": False,
}
EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "location": {"type": "string"},
        "organizer": {"type": "string"},
    },
    "required": ["title", "date", "location", "organizer"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Case:
    kind: str
    prompt: str
    expect: tuple[str, ...] = ()  # substrings the answer must hold
    count: int | None = None  # lines or items
    fields: dict[str, Any] = field(default_factory=dict)  # structured values the answer must hold
    schema: dict[str, Any] | None = None
    keys: tuple[str, ...] = ()  # json_object keys


CASES: list[Case] = [
    # factual questions: a known fact, stated directly
    Case("factual", "What is the capital of Australia?", ("Canberra",)),
    Case("factual", "What is the capital of France?", ("Paris",)),
    Case("factual", "What's the capital of Japan?", ("Tokyo",)),
    Case("factual", "Who wrote Pride and Prejudice?", ("Jane Austen",)),
    Case("factual", "Who wrote 1984?", ("George Orwell",)),
    Case("factual", "Who painted the Mona Lisa?", ("Leonardo da Vinci",)),
    Case("factual", "Who invented the telephone?", ("Alexander Graham Bell",)),
    Case("factual", "What is the largest planet in our solar system?", ("Jupiter",)),
    Case("factual", "What is the tallest mountain in the world?", ("Everest",)),
    Case("factual", "How many continents are there?", ()),
    Case("factual", "What is the chemical symbol for gold?", ("Au",)),
    Case("factual", "What is the boiling point of water?", ("100",)),
    Case("factual", "Why is the sky blue?", ("scatter",)),
    Case("factual", "Who was the first person to walk on the Moon?", ("Neil Armstrong",)),
    Case("factual", "What is the currency of Japan?", ("yen",)),
    # questions the table does not know: a plausible direct answer of the right shape
    Case("question", "Who invented the paperclip?"),
    Case("question", "When was the Eiffel Tower built?"),
    Case("question", "Where is Machu Picchu?"),
    Case("question", "How many moons does Neptune have?"),
    Case("question", "Is the Earth round?"),
    Case("question", "Can dogs eat chocolate?"),
    Case("question", "What is photosynthesis?", ("hotosynthesis",)),
    Case("question", "What is a binary search tree?", ("binary search tree",)),
    Case("question", "Who is Ada Lovelace?", ("Ada Lovelace",)),
    Case("question", "Should I learn Python or JavaScript first?"),
    Case("question", "How do I change a flat tyre?", ("change a flat tyre",)),
    # explanations: what the thing is, named as written
    Case("explanation", "Tell me about the James Webb Space Telescope.", ("James Webb Space Telescope",)),
    Case("explanation", "Explain recursion.", ("ecursion",)),
    Case("explanation", "Describe machine learning in two sentences.", ("achine learning",), count=2),
    Case("explanation", "Explain how vaccines work.", ("accines work",)),
    Case("explanation", "Tell me about Lisbon.", ("Lisbon",)),
    Case("explanation", "Describe the water cycle in one sentence.", ("water cycle",), count=1),
    # arithmetic: exact
    Case("arithmetic", "What is 17 times 23?", ("391",)),
    Case("arithmetic", "What is 144 divided by 12?", ("12",)),
    Case("arithmetic", "Calculate (4 + 5) * 3.", ("27",)),
    Case("arithmetic", "What is 2 to the power of 10?", ("1024",)),
    Case("arithmetic", "What is 15% of 80?", ("12",)),
    Case("arithmetic", "What's 1,250 + 3,750?", ("5000",)),
    Case("arithmetic", "What is 12 minus 30?", ("-18",)),
    Case("arithmetic", "Compute 3.5 * 4", ("14",)),
    Case("arithmetic", "What is 7 squared?", ("49",)),
    Case("arithmetic", "What is the square root of 144?", ("12",)),
    Case("arithmetic", "What is 1/4 + 1/2?", ("0.75",)),
    # summaries: shorter than their text
    Case("summary", "Summarize the following text:\n\n" + LONG_TEXT, ("Great Barrier Reef",)),
    Case("summary", "Please summarise this: " + SHORT_TEXT, ("Marie Curie",)),
    Case("summary", "Give me a summary of this passage: " + TECH_TEXT, ("Kubernetes",)),
    Case("summary", "TL;DR: " + CITY_TEXT, ("Lisbon",)),
    Case("summary", "Summarize in three sentences: " + LONG_TEXT),
    Case("summary", "Can you summarize this for me? " + TECH_TEXT),
    # one-sentence summaries
    Case("one-sentence", "Summarise in one sentence: " + LONG_TEXT, ("Great Barrier Reef",)),
    Case("one-sentence", "Summarize this in one sentence: " + SHORT_TEXT, ("Marie Curie",)),
    Case("one-sentence", "Give a one-sentence summary: " + TECH_TEXT, ("Kubernetes",)),
    Case("one-sentence", "Summarise in a single sentence: " + CITY_TEXT, ("Lisbon",)),
    Case(
        "one-sentence",
        "Summarize in one sentence: Gradient boosting trains trees in sequence, each one "
        "correcting the errors of the last.",
    ),
    Case(
        "one-sentence",
        "Summarise in one sentence: Dropout randomly disables neurons during training to reduce overfitting.",
    ),
    # haiku: three lines
    Case("haiku", "Write a haiku about rain.", count=3),
    Case("haiku", "Write a haiku about autumn leaves.", count=3),
    Case("haiku", "Compose a haiku about the ocean.", count=3),
    Case("haiku", "A haiku about Mount Fuji, please.", ("Mount Fuji",), count=3),
    Case("haiku", "Can you write me a haiku on coffee?", count=3),
    Case("haiku", "Haiku about winter mornings", count=3),
    # poems of N lines
    Case("poem", "Write a four-line poem about a lighthouse.", ("lighthouse",), count=4),
    Case("poem", "Write a 6-line poem about the city at night.", count=6),
    Case("poem", "Write a limerick about a cat.", count=5),
    Case("poem", "Write a two-line poem about friendship.", count=2),
    Case("poem", "Write an eight-line poem about the sea.", count=8),
    Case("poem", "Compose a sonnet about time.", count=14),
    # lists of N items
    Case("list", "Give me three tips for better sleep.", count=3),
    Case("list", "List five fruits.", count=5),
    Case("list", "Name 4 planets.", count=4),
    Case("list", "Give me 7 ideas for a birthday party.", count=7),
    Case("list", "What are three benefits of exercise?", count=3),
    Case("list", "List 10 programming languages.", count=10),
    Case("list", "Suggest two ways to save money.", count=2),
    Case("list", "Give me six reasons to learn a language.", count=6),
    Case("list", "List three colours.", count=3),
    Case("list", "Name five animals that live in Africa.", count=5),
    # naming and creative
    Case("creative", "Suggest a name for a coffee shop."),
    Case("creative", "Suggest a name for my new cat."),
    Case("creative", "Come up with a name for a startup that sells plants."),
    Case("creative", "Invent a new species of beetle: give it a name and describe it in two sentences."),
    Case("creative", "Invent a new species of bird and describe it."),
    Case("creative", "Tell me a joke about programmers."),
    Case("creative", "Write a short story about a dragon."),
    Case("creative", "Write an email to my team about the Friday release."),
    # advice and tips
    Case("advice", "How can I improve my sleep?"),
    Case("advice", "Give me tips for public speaking."),
    Case("advice", "How do I learn to play the guitar?", ("guitar",)),
    Case("advice", "Any advice for a first-time manager?"),
    Case("advice", "What are some ways to stay focused while studying?"),
    Case("advice", "How should I prepare for a job interview?"),
    # code
    Case("code", "Write a Python function that reverses a string.", ("def ", "[::-1]")),
    Case("code", "Write a JavaScript function to compute a factorial.", ("function",)),
    Case("code", "Give me a Python function that checks if a number is prime.", ("def is_prime",)),
    Case("code", "Write a SQL query that lists the newest items.", ("SELECT",)),
    Case("code", "Write a bash script that loops over files.", ("#!/usr/bin/env bash",)),
    Case("code", "Implement a function that sums a list in Python.", ("def ",)),
    # translation
    Case("translation", "Translate 'Good morning' to French.", ("Bonjour",)),
    Case("translation", "Translate 'thank you' into Spanish.", ("Gracias",)),
    Case("translation", "How do you say 'good night' in German?", ("Gute Nacht",)),
    Case("translation", 'Translate "hello" to Italian.', ("Ciao",)),
    Case("translation", "Translate 'I love you' to Portuguese.", ("Eu te amo",)),
    Case("translation", "Translate 'cheers' into Japanese.", ("Kanpai",)),
    # classification
    Case(
        "classification",
        "Classify the sentiment of this review: 'I loved it, the staff were wonderful.'",
        ("ositive",),
    ),
    Case(
        "classification",
        "Classify the sentiment: 'Terrible service, the food was awful and cold.'",
        ("egative",),
    ),
    Case("classification", "What is the sentiment of this tweet: 'The train left at 9:15.'", ("eutral",)),
    Case(
        "classification",
        "Is this email spam or not? 'Congratulations, you WIN a free prize, click here!'",
        ("Spam",),
    ),
    Case("classification", "Classify this ticket as billing, technical or account: 'I cannot log in.'"),
    Case(
        "classification",
        "Categorize the sentiment of: 'Great product, fast delivery, would recommend.'",
        ("ositive",),
    ),
    # extraction to a JSON schema
    Case(
        "extraction",
        "Maria Lopez is 34, lives in Madrid, email maria.lopez@example.com",
        fields={"name": "Maria Lopez", "age": 34, "city": "Madrid", "email": "maria.lopez@example.com"},
        schema=PERSON_SCHEMA,
    ),
    Case(
        "extraction",
        "Extract the contact: John Smith, 52 years old, from Toronto. Reach him at john@smith.io.",
        fields={"name": "John Smith", "age": 52, "city": "Toronto", "email": "john@smith.io"},
        schema=PERSON_SCHEMA,
    ),
    Case(
        "extraction",
        "Dr. Aiko Tanaka (age 41) moved to Kyoto last year; write to aiko.t@example.jp",
        fields={"name": "Aiko Tanaka", "age": 41, "city": "Kyoto", "email": "aiko.t@example.jp"},
        schema=PERSON_SCHEMA,
    ),
    Case(
        "extraction",
        "Please record: Liam O'Brien, aged 27, based in Dublin, liam@obrien.ie",
        fields={"name": "Liam O'Brien", "age": 27, "city": "Dublin", "email": "liam@obrien.ie"},
        schema=PERSON_SCHEMA,
    ),
    Case(
        "extraction",
        "'Spring Gala' on 2025-04-12 in Vienna, organised by Clara Weiss.",
        fields={
            "title": "Spring Gala",
            "date": "2025-04-12",
            "location": "Vienna",
            "organizer": "Clara Weiss",
        },
        schema=EVENT_SCHEMA,
    ),
    Case(
        "extraction",
        "Extract the event: 'Data Summit' takes place on March 3, 2026 in Berlin; the host is Omar Haddad.",
        fields={
            "title": "Data Summit",
            "date": "2026-03-03",
            "location": "Berlin",
            "organizer": "Omar Haddad",
        },
        schema=EVENT_SCHEMA,
    ),
    # json_object with the keys the prompt asks for
    Case(
        "json",
        "Return JSON with keys name, age and city: Maria Lopez is 34, lives in Madrid.",
        fields={"name": "Maria Lopez", "age": 34, "city": "Madrid"},
        keys=("name", "age", "city"),
    ),
    Case(
        "json",
        "Give me a JSON object with fields title, year, director for the film 'Blade Runner' released "
        "in 1982 by Ridley Scott.",
        fields={"title": "Blade Runner", "year": 1982, "director": "Ridley Scott"},
        keys=("title", "year", "director"),
    ),
    Case(
        "json",
        "Respond in JSON with the keys email and phone: contact sam@acme.test or +1 555 010 2030.",
        fields={"email": "sam@acme.test"},
        keys=("email", "phone"),
    ),
    Case(
        "json",
        'Output JSON with keys "city" and "country" for: I live in Oslo, Norway.',
        fields={"city": "Oslo"},
        keys=("city", "country"),
    ),
    Case(
        "json",
        "Return a JSON object with keys sentiment and summary for this review: 'Wonderful hotel, "
        "great staff.'",
        keys=("sentiment", "summary"),
    ),
    Case(
        "json",
        "Return JSON with fields name and company: Priya Patel works at Globex Corporation.",
        fields={"name": "Priya Patel", "company": "Globex Corporation"},
        keys=("name", "company"),
    ),
]

TEXT_KINDS = {c.kind for c in CASES} - {"extraction", "json"}


def _messages(case: Case, system: bool) -> list[dict[str, str]]:
    user = {"role": "user", "content": case.prompt}
    return [{"role": "system", "content": SYSTEM}, user] if system else [user]


def _shape(case: Case) -> Shape:
    if case.schema is not None:
        return Shape(
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": case.schema, "strict": True},
            }
        )
    if case.kind == "json":
        return Shape(response_format={"type": "json_object"})
    return Shape()


def _answers(case: Case, sampling: Sampling, system: bool = False) -> list[str]:
    generation = generate(_messages(case, system), MODEL_NAME, sampling, _shape(case))
    return [c.content or "" for c in generation.choices]


def _items(answer: str) -> list[str]:
    return [line for line in answer.splitlines() if re.match(r"^\s*(\d+[.)]|[-*•])\s+", line)]


def _sentence_count(answer: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*\"'])", answer.strip()) if s])


def _check_kind(case: Case, answer: str) -> None:
    for expected in case.expect:
        assert expected in answer, (case.prompt, answer)
    lowered = answer.lower()
    if case.kind == "explanation":
        assert not any(p in lowered for p in TEMPLATE_PHRASES), answer
        if case.count:
            assert _sentence_count(answer) == case.count, answer
    if case.kind in ("factual", "question", "arithmetic"):
        assert not any(p in lowered for p in TEMPLATE_PHRASES), answer
        assert answer.strip()[-1] in ".!?:)" or answer.strip()[-1].isalnum(), answer
        if case.kind != "question" or not case.prompt.lower().startswith("how"):
            assert "\n" not in answer.strip(), answer  # one direct statement, not a template
    if case.kind in ("summary", "one-sentence"):
        source = case.prompt.split(":", 1)[-1] if ":" in case.prompt[:60] else case.prompt
        assert len(answer) < len(source.strip()), answer
    if case.kind == "one-sentence":
        assert _sentence_count(answer) == 1 and "\n" not in answer, answer
    if case.kind in ("haiku", "poem"):
        assert len(answer.strip().splitlines()) == case.count, answer
    if case.kind == "list":
        assert len(_items(answer)) == case.count, answer
    if case.kind == "code":
        assert "```" in answer, answer
    if case.kind in ("extraction", "json"):
        value = json.loads(answer)
        for key, expected in case.fields.items():
            assert value[key] == expected, (case.prompt, value)
        if case.keys:
            assert list(value) == list(case.keys), value


def _proper_nouns(prompt: str) -> set[str]:
    """Capitalised words that do not start a sentence: names, as written."""
    found = set()
    for match in re.finditer(r"\b[A-Z][a-z]{2,}\b", prompt):
        before = prompt[: match.start()].rstrip()
        if before and before[-1] not in ".!?:\"'\n(":
            found.add(match.group(0))
    return found


def _check_case_kept(case: Case, answer: str) -> None:
    for noun in _proper_nouns(case.prompt):
        lowered = re.search(rf"\b{noun.lower()}\b", answer)
        assert not lowered or re.search(rf"\b{noun}\b", answer), (noun, answer)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}:{c.prompt[:40]}")
def test_each_prompt_is_answered_in_the_form_it_asks_for(case: Case) -> None:
    for system in (False, True):
        for seed in (None, 3):
            answer = _answers(case, Sampling(seed=seed), system)[0]
            _check_kind(case, answer)
            _check_case_kept(case, answer)
            if system:
                leaked = [w for w in SYSTEM_ONLY_WORDS if w in answer.lower()]
                assert not leaked, (leaked, answer)


@pytest.mark.parametrize("case", [c for c in CASES if c.kind in TEXT_KINDS], ids=lambda c: c.prompt[:50])
def test_choices_differ_seeds_differ_and_a_seed_repeats(case: Case) -> None:
    for system in (False, True):
        three = _answers(case, Sampling(n=3), system)
        assert len(set(three)) == 3, three
        for answer in three:
            _check_kind(case, answer)
        eleven = _answers(case, Sampling(seed=11), system)[0]
        twelve = _answers(case, Sampling(seed=12), system)[0]
        assert eleven != twelve, (eleven, twelve)
        assert _answers(case, Sampling(seed=11), system)[0] == eleven
        cool = _answers(case, Sampling(temperature=0.2), system)[0]
        assert cool == _answers(case, Sampling(temperature=0.2), system)[0]


@pytest.mark.parametrize("case", [c for c in CASES if c.kind not in TEXT_KINDS], ids=lambda c: c.prompt[:50])
def test_structured_answers_hold_the_prompt_values_for_every_choice_and_seed(case: Case) -> None:
    """Values read from the prompt are the prompt's in every choice, as a model's extraction would be."""
    for answer in [*_answers(case, Sampling(n=3)), *_answers(case, Sampling(seed=11))]:
        _check_kind(case, answer)


def test_the_plausibility_set_is_broad() -> None:
    kinds = {c.kind for c in CASES}
    assert len(CASES) >= 100
    assert kinds >= {
        "factual",
        "question",
        "arithmetic",
        "summary",
        "one-sentence",
        "haiku",
        "poem",
        "list",
        "creative",
        "advice",
        "code",
        "translation",
        "classification",
        "extraction",
        "json",
    }
    assert all(sum(c.kind == kind for c in CASES) >= 6 for kind in kinds)


# A representative prompt of every kind, through the openai SDK on both emulator modes.
SDK_CASES = [next(c for c in CASES if c.kind == kind) for kind in sorted({c.kind for c in CASES})]


def test_every_kind_through_the_sdk(emulator: Any) -> None:
    sdk = client(emulator, "openai")
    for case in SDK_CASES:
        shape = _shape(case)
        extra: dict[str, Any] = {"response_format": shape.response_format} if shape.response_format else {}
        completion = sdk.chat.completions.create(
            model=MODEL, messages=_messages(case, True), n=3, seed=11, **extra
        )
        contents = [c.message.content or "" for c in completion.choices]
        for content in contents:
            _check_kind(case, content)
            assert not any(w in content.lower() for w in SYSTEM_ONLY_WORDS), content
        # the SDK gets exactly what the model layer writes
        assert contents == _answers(case, Sampling(seed=11, n=3), True)
        if case.kind in TEXT_KINDS:
            assert len(set(contents)) == 3, contents
            twelve = sdk.chat.completions.create(
                model=MODEL, messages=_messages(case, True), seed=12, **extra
            )
            assert twelve.choices[0].message.content != contents[0]


def test_a_follow_up_question_asks_the_earlier_question_again(emulator: Any) -> None:
    sdk = client(emulator, "azure")
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "What about Spain?"},
    ]
    answers = [
        c.message.content or ""
        for c in sdk.chat.completions.create(model=MODEL, messages=messages, n=3).choices
    ]
    assert all("Madrid" in a for a in answers) and len(set(answers)) == 3

"""The deterministic writer: plausible text built from the prompt's own words.

It recognises a few intents (summarise, answer a how/what/why question, list, rewrite) and composes
an answer from the sentences and key terms of the conversation. Every choice it makes is drawn from a
random generator seeded by a hash of the request, so the same request always gets the same text and a
different seed, temperature or choice index gets a different, equally plausible one.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain

from emulator.model.memo import Memo

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "often",
        "many",
        "much",
        "use",
        "using",
        "used",
        "make",
        "makes",
        "made",
        "include",
        "includes",
        "including",
        "like",
        "well",
        "may",
        "might",
        "must",
        "shall",
        "one",
        "two",
        "three",
        "etc",
        "via",
        "per",
        "please",
        "what's",
        "it's",
        "i'm",
        "tell",
        "give",
        "say",
        "show",
        "get",
    ]
)

_SUMMARY_CUES = ("summar", "concise", "tl;dr", "tldr", "key points", "overview", "brief")
_PRONOUNS = {
    "my": "your",
    "i": "you",
    "me": "you",
    "mine": "yours",
    "myself": "yourself",
    "am": "are",
    "we": "you",
    "our": "your",
    "us": "you",
}


@dataclass(frozen=True)
class _Fragment:
    """What the writers read of one stretch of text between sentence ends. Stretches recur across
    requests (a system prompt, a document sent again with one detail changed): each is read once."""

    sentence: str | None  # the stretch stripped, when it holds the three words a sentence needs
    words: tuple[str, ...]  # its words, lowercased
    content: tuple[str, ...]  # those that are not stopwords
    terms: tuple[str, ...]  # those of them longer than two letters: key-term candidates
    phrase: str | None  # its leading noun phrase ("Random Forests"); None when all its words are stopwords


def _read(raw: str) -> _Fragment:
    stripped = raw.strip()
    found = _WORD.findall(raw)
    # The words hold no spaces, so one join lowers them all at once.
    words = tuple(" ".join(found).lower().split())
    content = tuple(w for w in words if w not in STOPWORDS)
    return _Fragment(
        stripped if len(stripped.split()) >= 3 else None,
        words,
        content,
        tuple(w for w in content if len(w) > 2),
        _leading_phrase(found),
    )


_FRAGMENTS: Memo[_Fragment] = Memo(16384)
_LONGEST_KEPT = 2048  # a longer stretch is read but not kept: it would pin its text in the memo


def _fragments(text: str) -> list[_Fragment]:
    """The text's stretches in order; their words, joined, are exactly the text's words (a word never
    holds the ".", "!", "?" or newline that ends a stretch)."""
    return [
        _FRAGMENTS.get(raw, _read, raw, keep=len(raw) <= _LONGEST_KEPT) for raw in _SENTENCE.findall(text)
    ]


def sentences(text: str) -> list[str]:
    return [f.sentence for f in _fragments(text) if f.sentence]


def _ranked_terms(fragments: list[_Fragment], limit: int) -> list[str]:
    counts = Counter(chain.from_iterable(f.terms for f in fragments))
    # A Counter keeps first-seen order and the sort is stable: ties stay in the order they appeared.
    return sorted(counts, key=counts.__getitem__, reverse=True)[:limit]


def key_terms(text: str, limit: int) -> list[str]:
    return _ranked_terms(_fragments(text), limit)


def _rank_sentences(items: list[_Fragment], fragments: list[_Fragment]) -> list[int]:
    weights = Counter(chain.from_iterable(f.content for f in fragments))

    def score(index: int) -> float:
        words = items[index].words
        return sum(map(weights.__getitem__, words)) / (len(words) ** 0.5 or 1) + (0.5 if index == 0 else 0)

    return sorted(range(len(items)), key=lambda i: (-score(i), i))


def _swap_person(text: str) -> str:
    return re.sub(
        r"\b(my|i|me|mine|myself|am|we|our|us)\b",
        lambda m: _PRONOUNS[m.group(0).lower()],
        text,
        flags=re.IGNORECASE,
    )


def _title(term: str) -> str:
    return term[:1].upper() + term[1:]


@dataclass(frozen=True)
class _Digest:
    """What a summary says of a text, whatever the random choices: its lead, its points, its terms."""

    lead: str
    bullets: str
    closing_terms: str


def _digest(fragments: list[_Fragment]) -> _Digest | None:
    items = [f for f in fragments if f.sentence]
    if not items:
        return None
    order = _rank_sentences(items, fragments)
    terms = _ranked_terms(fragments, 6)
    points = [items[i] for i in sorted(order[: min(4, max(1, len(items) - 1))]) if i != 0] or items[:1]
    bullets = "\n".join(
        f"{n}. **{_title(p.phrase or 'point')}**: {p.sentence}" for n, p in enumerate(points, 1)
    )
    return _Digest(
        (items[0].sentence or "").rstrip(".!?"), bullets, ", ".join(terms[:3]) if terms else "these ideas"
    )


# A digest reads a sentence's text and, of the other stretches, only their words: text that differs
# in a number or a short aside has the same digest.
_DIGESTS: Memo[_Digest | None] = Memo(4096)


def summarize(text: str, rng: random.Random) -> str:
    fragments = _fragments(text)
    key = tuple(f.sentence or f.content for f in fragments)
    digest = _DIGESTS.get(key, _digest, fragments)
    if digest is None:
        return _general(text, rng)
    lead = digest.lead
    opener = rng.choice(
        [
            f"{lead}.",
            f"In short: {lead[0].lower()}{lead[1:]}.",
            f"Summary: {lead[0].lower()}{lead[1:]}.",
        ]
    )
    intro = rng.choice(["The key ideas are:", "The main points are:", "Key concepts and how they relate:"])
    closing = rng.choice(
        [
            f"In practice, these points matter because they connect {digest.closing_terms} into one approach.",
            f"Taken together, {digest.closing_terms} explain the practical implications of the text.",
            f"The practical takeaway: focus on {digest.closing_terms}.",
        ]
    )
    return f"{opener} {intro}\n\n{digest.bullets}\n\n{closing}"


def _leading_phrase(words: list[str]) -> str | None:
    """The first two words after any leading stopwords, stopping at a stopword ("Random Forests",
    "Common techniques")."""
    at = 0
    while at < len(words) and words[at].lower() in STOPWORDS:
        at += 1
    phrase: list[str] = []
    for word in words[at : at + 2]:
        if word.lower() in STOPWORDS:
            break
        phrase.append(word)
    return " ".join(phrase) if phrase else None


def _how_to(subject: str, rng: random.Random) -> str:
    verb, _, obj = subject.partition(" ")
    action = f"{verb.lower()} {obj}".strip() if obj else verb.lower()
    steps = [
        rng.choice(
            [
                f"Gather what you need to {action} before you start: materials, tools and enough time.",
                f"Prepare first: find a reliable guide and collect everything you need to {action}.",
            ]
        ),
        rng.choice(
            [
                "Work through it in small stages, checking the result of each one before moving on.",
                "Follow the steps in order and avoid shortcuts the first time; most problems come from skipped steps.",
            ]
        ),
        rng.choice(
            [
                "Compare the result with what you expected and adjust one thing at a time.",
                "Check the outcome; if it is not right yet, change one thing and try again.",
            ]
        ),
    ]
    if rng.random() < 0.5:
        steps.append(f"Keep notes on what worked, so the next time you {action} it goes faster.")
    opener = rng.choice(
        [
            f"To {subject}, follow these steps:",
            f"Here is how to {subject}:",
            f"You can {subject} in a few steps:",
        ]
    )
    return f"{opener}\n\n" + "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))


def _explain(question: str, subject: str, context: str, rng: random.Random) -> str:
    defined = re.match(r"^what (is|are) (.+)$", question, flags=re.I)
    topic = _swap_person(defined.group(2)) if defined else f'"{question}?"'
    hints = key_terms(context, 3)
    related = f" It connects closely to {', '.join(hints)}." if hints else ""
    if question.lower().startswith("why"):
        return (
            f"The answer to {topic} comes down to a few reasons:\n\n"
            "1. **Cause:** the conditions that make it happen in the first place.\n"
            "2. **Effect:** what changes as a result, and why that matters.\n"
            "3. **Trade-offs:** the alternatives, and why this outcome usually wins.\n\n"
            f"Looking at all three together gives the full picture.{related}"
        )
    if not defined:
        return (
            f"Here is how to think about {topic}\n\n"
            "- **The short answer:** it depends on the details of the situation, so start from the facts "
            "you can check.\n"
            "- **What to check:** the most recent and most reliable sources on the subject.\n"
            f"- **What to watch for:** figures and definitions that change over time.{related}"
        )
    lead = rng.choice([f"{_title(topic)} is best understood through three questions:", f"About {topic}:"])
    return (
        f"{lead}\n\n"
        f"- **Purpose:** what {topic} is for and the problem it addresses.\n"
        f"- **How it works:** its main parts and how they fit together.\n"
        f"- **In practice:** where it is used, and the trade-offs to keep in mind.{related}"
    )


def answer_question(question: str, context: str, rng: random.Random) -> str:
    core = question.strip().rstrip("?").strip()
    subject = re.sub(
        r"^(how|what|why|when|where|which|who|can|could|should|is|are|do|does)\b\s*"
        r"(can|do|should|could|would|is|are|does)?\s*(i|we|you)?\s*",
        "",
        core,
        flags=re.I,
    )
    subject = _swap_person(subject) or core
    if re.match(r"^how\b", core, flags=re.I) and not re.match(
        r"^how (much|many|long|often|old)\b", core, re.I
    ):
        return _how_to(subject, rng)
    return _explain(core, subject, context, rng)


_JOKE = re.compile(r"\b(joke|pun|funny)\b", re.I)
_WRITE = re.compile(r"^(please\s+)?(write|draft|compose|create)\b", re.I)
_KIND = re.compile(r"\b(poem|story|essay|email|paragraph|haiku|post|letter|summary)\b", re.I)
_REQUEST_WORDS = frozenset(
    "joke pun funny write draft compose create short poem story essay email paragraph haiku post letter".split()
)
_SAY = re.compile(r"^(please\s+)?say\s+(.+?)[.!]?$", re.I)


def _request(user: str, rng: random.Random) -> str | None:
    """Short imperative requests: say something, tell a joke, write a short piece."""
    said = _SAY.match(user.strip())
    if said:
        return said.group(2).strip().strip("\"'").capitalize() + "!"
    kind_found = _KIND.search(user)
    kind = kind_found.group(1).lower() if kind_found else "piece"
    terms = [t for t in key_terms(user, 6) if t not in _REQUEST_WORDS]
    topic = " ".join(terms[:2]) if terms else "computers"
    if _JOKE.search(user):
        one = topic[:-1] if topic.endswith("s") and not topic.endswith("ss") and len(topic) > 3 else topic
        return rng.choice(
            [
                f"Why did the {one} bring a ladder? Because it wanted to reach the next level.",
                f"I tried to tell a joke about {topic}, but it needed more time to warm up.",
            ]
        )
    if _WRITE.match(user.strip()):
        if kind == "poem":
            return (
                f"**{_title(topic)}**\n\n"
                f"Quietly the {topic} arrive,\nshaped by time and kept alive;\n"
                f"look again and you will find\nall the {topic} left behind."
            )
        return (
            f"Here is a short {kind} about {topic}:\n\n"
            f"{_title(topic)} rewards attention. Look closely and the details start to connect: "
            f"each part shapes the whole, and small choices add up. "
            f"Taken together, they show why {topic} is worth the effort."
        )
    return None


def _general(text: str, rng: random.Random) -> str:
    terms = key_terms(text, 5)
    if not terms:
        return rng.choice(
            [
                "Hello! How can I help you today?",
                "Hi there! What can I do for you?",
                "Hello! What would you like to talk about?",
            ]
        )
    items = sentences(text)
    echo = f' You mentioned: "{items[0]}"' if items and rng.random() < 0.6 else ""
    topic = ", ".join(terms[:3])
    return rng.choice(
        [
            f"Here are some thoughts on {topic}.{echo} The most important aspect is {terms[0]}, "
            f"which shapes how {terms[-1]} should be handled.",
            f"Thanks for the details about {topic}.{echo} I would focus first on {terms[0]} and then "
            f"consider {terms[-1]}.",
        ]
    )


def _more_words_than(text: str, count: int) -> bool:
    # Splitting stops once it has passed `count`: a long text is not cut into every one of its words.
    return len(text.split(maxsplit=count + 1)) > count


def write(system: str, user: str, context: str, rng: random.Random) -> str:
    cue_text = (system + " " + user[:200]).lower()
    if any(cue in cue_text for cue in _SUMMARY_CUES) and _more_words_than(user, 25):
        return summarize(user, rng)
    stripped = user.strip()
    if stripped.endswith("?") and not _more_words_than(stripped, 40):
        return answer_question(stripped, system + " " + context, rng)
    if re.fullmatch(r"(hi|hello|hey|good (morning|afternoon|evening))[!. ]*", stripped, flags=re.I):
        return rng.choice(
            [
                "Hello! How can I assist you today?",
                "Hi! How can I help you today?",
                "Hello there! What can I do for you?",
            ]
        )
    if _more_words_than(user, 60):
        return summarize(user, rng)
    request = _request(user, rng)
    if request is not None:
        return request
    return _general(user or system, rng)

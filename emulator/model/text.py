"""Reading text: its sentences, words and key terms, each stretch read once and kept.

The writers (`writer`, `summary`, `answers`, `forms`) and the structured-output generator read prompts
through these functions.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Fragment:
    """What the writers read of one stretch of text between sentence ends. Stretches recur across
    requests (a system prompt, a document sent again with one detail changed): each is read once."""

    sentence: str | None  # the stretch stripped, when it holds the three words a sentence needs
    words: tuple[str, ...]  # its words, lowercased
    content: tuple[str, ...]  # those that are not stopwords
    terms: tuple[str, ...]  # those of them longer than two letters: key-term candidates


def _read(raw: str) -> Fragment:
    stripped = raw.strip()
    found = _WORD.findall(raw)
    # The words hold no spaces, so one join lowers them all at once.
    words = tuple(" ".join(found).lower().split())
    content = tuple(w for w in words if w not in STOPWORDS)
    return Fragment(
        stripped if len(stripped.split()) >= 3 else None,
        words,
        content,
        tuple(w for w in content if len(w) > 2),
    )


_FRAGMENTS: Memo[Fragment] = Memo(16384)
_LONGEST_KEPT = 2048  # a longer stretch is read but not kept: it would pin its text in the memo


def fragments(text: str) -> list[Fragment]:
    """The text's stretches in order; their words, joined, are exactly the text's words (a word never
    holds the ".", "!", "?" or newline that ends a stretch)."""
    return [
        _FRAGMENTS.get(raw, _read, raw, keep=len(raw) <= _LONGEST_KEPT) for raw in _SENTENCE.findall(text)
    ]


def sentences(text: str) -> list[str]:
    return [f.sentence for f in fragments(text) if f.sentence]


def _ranked_terms(fragments: list[Fragment], limit: int) -> list[str]:
    counts = Counter(chain.from_iterable(f.terms for f in fragments))
    # A Counter keeps first-seen order and the sort is stable: ties stay in the order they appeared.
    return sorted(counts, key=counts.__getitem__, reverse=True)[:limit]


def key_terms(text: str, limit: int) -> list[str]:
    return _ranked_terms(fragments(text), limit)


def rank_sentences(items: list[Fragment], fragments: list[Fragment]) -> list[int]:
    weights = Counter(chain.from_iterable(f.content for f in fragments))

    def score(index: int) -> float:
        words = items[index].words
        return sum(map(weights.__getitem__, words)) / (len(words) ** 0.5 or 1) + (0.5 if index == 0 else 0)

    return sorted(range(len(items)), key=lambda i: (-score(i), i))

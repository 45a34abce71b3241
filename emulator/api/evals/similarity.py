"""Text-similarity metrics of the `text_similarity` grader, computed exactly and offline.

Word metrics split both texts the same way: lowercased runs of letters and digits (`"Don't stop!"` →
`don`, `t`, `stop`), as the `rouge-score` package tokenises.

* `fuzzy_match`: character-level Indel similarity of the raw strings, `2·LCS / (|a| + |b|)`
  (rapidfuzz's `fuzz.ratio` / 100).
* `bleu`: sentence BLEU-4 with uniform weights and the brevity penalty `exp(1 - r/c)` when the
  candidate is shorter; an n-gram order with no match counts 0.1 matches (NLTK's smoothing method 1),
  and no unigram match at all scores 0.
* `gleu`: Google-BLEU, `min(precision, recall)` over all 1- to 4-grams together (NLTK's `sentence_gleu`).
* `meteor`: exact-match METEOR (no stemming or synonyms offline): each candidate word aligns with the
  leftmost unused equal reference word; `F = P·R / (0.9·P + 0.1·R)` and the score is
  `F · (1 - 0.5·(chunks/matches)³)`.
* `rouge_1` … `rouge_5`: F1 of the clipped n-gram overlap; `rouge_l`: F1 of the longest common word
  subsequence.
* `cosine`: offline there is no embedding model, so it is the cosine of the two bag-of-words count
  vectors.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence

_WORD = re.compile(r"[^\W_]+")

METEOR_ALPHA, METEOR_BETA, METEOR_GAMMA = 0.9, 3.0, 0.5
BLEU_EPSILON = 0.1


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def lcs_length(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Longest common subsequence, bit-parallel (Hyyrö): long texts stay fast in pure Python."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    masks: dict[Hashable, int] = {}
    for i, symbol in enumerate(b):
        masks[symbol] = masks.get(symbol, 0) | (1 << i)
    full = (1 << len(b)) - 1
    v = full
    for symbol in a:
        u = v & masks.get(symbol, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - bin(v).count("1")


def _f1(overlap: float, candidate: int, reference: int) -> float:
    if overlap == 0 or candidate == 0 or reference == 0:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def fuzzy_match(candidate: str, reference: str) -> float:
    if not candidate and not reference:
        return 1.0
    return 2 * lcs_length(candidate, reference) / (len(candidate) + len(reference))


def rouge_n(candidate: str, reference: str, n: int) -> float:
    c, r = ngrams(words(candidate), n), ngrams(words(reference), n)
    return _f1(sum((c & r).values()), sum(c.values()), sum(r.values()))


def rouge_l(candidate: str, reference: str) -> float:
    c, r = words(candidate), words(reference)
    return _f1(lcs_length(c, r), len(c), len(r))


def bleu(candidate: str, reference: str, max_n: int = 4) -> float:
    c, r = words(candidate), words(reference)
    if not c:
        return 0.0
    log_sum = 0.0
    for n in range(1, max_n + 1):
        grams = ngrams(c, n)
        matches = sum((grams & ngrams(r, n)).values())
        if n == 1 and matches == 0:
            return 0.0
        log_sum += math.log((matches or BLEU_EPSILON) / max(1, sum(grams.values())))
    brevity = 1.0 if len(c) > len(r) else math.exp(1 - len(r) / len(c))
    return brevity * math.exp(log_sum / max_n)


def gleu(candidate: str, reference: str, max_n: int = 4) -> float:
    c, r = words(candidate), words(reference)
    c_grams: Counter[tuple[str, ...]] = Counter()
    r_grams: Counter[tuple[str, ...]] = Counter()
    for n in range(1, max_n + 1):
        c_grams += ngrams(c, n)
        r_grams += ngrams(r, n)
    total = max(sum(c_grams.values()), sum(r_grams.values()))
    return sum((c_grams & r_grams).values()) / total if total else 0.0


def meteor(candidate: str, reference: str) -> float:
    c, r = words(candidate), words(reference)
    used: set[int] = set()
    alignment: list[tuple[int, int]] = []
    for i, word in enumerate(c):
        j = next((j for j, w in enumerate(r) if w == word and j not in used), None)
        if j is not None:
            used.add(j)
            alignment.append((i, j))
    matches = len(alignment)
    if matches == 0:
        return 0.0
    chunks = 1 + sum(
        1
        for (i0, j0), (i1, j1) in zip(alignment, alignment[1:], strict=False)
        if not (i1 == i0 + 1 and j1 == j0 + 1)
    )
    precision, recall = matches / len(c), matches / len(r)
    fmean = precision * recall / (METEOR_ALPHA * precision + (1 - METEOR_ALPHA) * recall)
    return fmean * (1 - METEOR_GAMMA * math.pow(chunks / matches, METEOR_BETA))


def cosine(candidate: str, reference: str) -> float:
    c, r = Counter(words(candidate)), Counter(words(reference))
    norm = math.sqrt(sum(v * v for v in c.values())) * math.sqrt(sum(v * v for v in r.values()))
    return sum(c[w] * r[w] for w in c) / norm if norm else 0.0


def _rouge(n: int) -> Callable[[str, str], float]:
    def rouge(candidate: str, reference: str) -> float:
        return rouge_n(candidate, reference, n)

    return rouge


METRICS: dict[str, Callable[[str, str], float]] = {
    "fuzzy_match": fuzzy_match,
    "bleu": bleu,
    "gleu": gleu,
    "meteor": meteor,
    "cosine": cosine,
    **{f"rouge_{n}": _rouge(n) for n in range(1, 6)},
    "rouge_l": rouge_l,
}

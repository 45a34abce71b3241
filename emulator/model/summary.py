"""Summaries: shorter than the text they summarise, one sentence when one is asked for.

A text's plan (its sentences ranked, each also in a shorter form without asides) is worked out once
and kept: texts are sent again and again with one detail changed. Each answer then only chooses an
opening and how many of the planned sentences to keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.model import text, wording
from emulator.model.memo import Memo
from emulator.model.variation import Variation

_ASIDE = re.compile(r"\s*\([^()]{0,300}\)|\s*\[[^\[\]]{0,300}\]")
_TRAILING_CLAUSE = re.compile(
    r",\s+(?:with|which|while|where|each|so that|because|as|making|using|and then|including|leading)\b.*$"
    r"|\s+(?:in order to|so that|by|using|while|during|because)\s+.*$",
    re.I,
)
_SOFTENERS = re.compile(
    r"\b(?:very|really|several|multiple|often|usually|typically|generally|simply|randomly|more|also)\s+", re.I
)


@dataclass(frozen=True)
class _Plan:
    ranked: tuple[tuple[int, str, str], ...]  # (position, sentence, its shorter form), best first
    length: int  # the summarised text's length


_MAX_WORDS = 45  # a summary's sentence, however long the text's


def _shorter(sentence: str) -> str:
    words = sentence.split()
    if len(words) > _MAX_WORDS:
        sentence = " ".join(words[:_MAX_WORDS]).rstrip(".,;:") + "."
    short = _ASIDE.sub("", sentence).strip()
    body = short.rstrip(".!?")
    cut = _TRAILING_CLAUSE.sub("", body)
    if len(cut.split()) >= 4:
        body = cut
    body = re.sub(r"\s+,", ",", body).strip(" ,;")
    return body + "."


def _plan(fragments: list[text.Fragment], length: int) -> _Plan | None:
    items = [f for f in fragments if f.sentence]
    if not items:
        return None
    order = text.rank_sentences(items, fragments)
    ranked = tuple((i, items[i].sentence or "", _shorter(items[i].sentence or "")) for i in order[:8])
    return _Plan(ranked, length)


_PLANS: Memo[_Plan | None] = Memo(4096)

_LEADS = ("", "In short, ", "Put simply, ", "Essentially, ", "Overall, ")
_PARAGRAPH_LEADS = ("", "In short: ", "Summary: ", "The gist: ", "Key points: ")


def plan_of(source: str) -> _Plan | None:
    fragments = text.fragments(source)
    key = (tuple(f.sentence or f.content for f in fragments), len(source) // 50)
    return _PLANS.get(key, _plan, fragments, len(source))


def summarise(source: str, vary: Variation, sentences: int | None = None) -> str:
    """A summary of `source` in `sentences` sentences (a short paragraph when None)."""
    plan = plan_of(source)
    if plan is None:
        return _short_text(source, vary)
    if sentences == 1:
        return _one_sentence(plan, source, vary)
    limit = len(source.strip())
    wanted = sentences or max(1, min(3, (len(plan.ranked) + 1) // 2))
    # The opening sentence names the subject: it leads every summary, the best of the rest follow.
    opening = [r for r in plan.ranked if r[0] == 0]
    kept = sorted(opening + [r for r in plan.ranked if r[0] != 0][: wanted - len(opening)])
    use_short = vary.pick([True, True, False]) or sentences is not None
    parts = [short if use_short else full for _, full, short in kept]
    if sentences and sentences > 1 and len(parts) < sentences:
        parts += [full for _, full, _ in kept][: sentences - len(parts)]
    lead = vary.first(_PARAGRAPH_LEADS)
    if sentences is None and len(parts) >= 3 and vary.rng.random() < 0.4:
        body = "\n".join(f"- {p}" for p in parts)
        answer = f"{lead.rstrip(': ') or 'Key points'}:\n{body}"
    else:
        answer = lead + " ".join(parts)
    while len(answer) >= limit and len(parts) > 1:
        parts.pop()
        answer = lead + " ".join(parts)
    if len(answer) >= limit:
        return _one_sentence(plan, source, vary)
    return answer


def _one_sentence(plan: _Plan, source: str, vary: Variation) -> str:
    limit = len(source.strip())
    _, full, short = min(plan.ranked)
    cores = list(dict.fromkeys([short, _SOFTENERS.sub("", short), full, _SOFTENERS.sub("", full)]))
    variants: list[str] = []
    for core in cores:
        for lead in _LEADS:
            candidate = lead + (wording.lower_first(core) if lead else core)
            if len(candidate) < limit and candidate not in variants:
                variants.append(candidate)
    words = short.rstrip(".").split()
    while len(variants) < 3 and len(words) > 3:
        words.pop()
        candidate = " ".join(words).rstrip(",;:") + "."
        if len(candidate) < limit and candidate not in variants:
            variants.append(candidate)
    if not variants:
        return short
    return vary.first(variants)


def _short_text(source: str, vary: Variation) -> str:
    words = source.split()
    if not words:
        return vary.first(["There is nothing to summarise yet.", "The text is empty.", "No text was given."])
    keep = max(1, len(words) * 2 // 3)
    body = " ".join(words[:keep]).strip("\"'“”‘’").rstrip(".,;:!?")
    return vary.first([f"{body}.", f"In short: {body}.", f"Gist: {body}."])

"""Small pieces of English the writers share: number words, sentence starts, a prompt's topic as
written, field names as keys."""

from __future__ import annotations

import re

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "a couple of": 2,
    "a pair of": 2,
    "a few": 3,
    "single": 1,
    "a": 1,
    "an": 1,
}
ORDINAL_SENTENCES = {"one": 1, "a single": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5}

# Words that start sentences or are too common to be a name when capitalised at a sentence's start.
COMMON_WORDS = frozenset(
    """a about after all also an and any are as at be because but by can could did do does each every for
    from give had has have he her here his how i if in into is it its just let me more most my new no not
    now of on once one only or our out over please she should so some such than that the their them then
    there these they this those through to too under up very was we were what when where which while who
    why will with would you your extract write tell list return summarise summarize explain describe
    translate classify create make suggest invent name provide generate answer find compare draft compose
    show help use using imagine consider rewrite fix convert calculate compute keep add remove plan
    recommend design build define outline review analyze analyse check count sort pick choose turn read
    note today yesterday tomorrow good great best bad new old first last next many much few several""".split()
)

_SENTENCE_END = ".!?:\n\"'"


def starts_sentence(text: str, position: int) -> bool:
    before = text[:position].rstrip()
    return not before or before[-1] in _SENTENCE_END


def count_from(word: str) -> int | None:
    """A count written as digits or words ("3", "three", "a few"), bounded to 1..50."""
    word = word.lower().strip()
    if word.isdigit():
        value = int(word[:4])
        return value if 1 <= value <= 50 else None
    return NUMBER_WORDS.get(word)


def field_key(name: str) -> str:
    """A field name as a lowercase key: "Full Name" → "full_name", "emailAddress" → "email_address"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")[:60]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    "i'm": "you're",
}
_PERSON = re.compile(r"\b(my|i|me|mine|myself|am|we|our|us|i'm)\b", re.I)


def swap_person(text: str) -> str:
    return _PERSON.sub(lambda m: _PRONOUNS[m.group(0).lower()], text)


def lower_first(text: str) -> str:
    """The first letter lowered, unless the first word is a name (capitalised beyond its first letter, or
    an initialism, or not a common word)."""
    first = text.split(" ", 1)[0]
    if not first or not first[:1].isupper():
        return text
    if first.lower() in COMMON_WORDS or (first[1:].islower() and first.lower() in _LOWERABLE):
        return first[:1].lower() + text[1:]
    return text


# Sentence-initial words a summary may lower when it continues "In short, ...".
_LOWERABLE = frozenset(
    """ensemble methods models most many some every each users data our this these those there it they
    researchers scientists people students companies teams a an the in on at for with when while if
    after before during although because since regularisation regularization dropout attention stacking
    gradient random cross early transfer batch data machine deep neural climate water plants""".split()
)

_TOPIC = re.compile(
    r"\b(?:about|on|regarding|concerning|for|of|describing|featuring|called|named)\s+(.+?)(?:[.?!\n:;]|,\s|\s+(?:in|with|using|that|which|for|so)\s|$)",
    re.I,
)
_ARTICLE = re.compile(r"^(?:the|a|an|my|your|our|some)\s+", re.I)


def topic(prompt: str, default: str = "") -> str:
    """What a request is about, as written ("Write a haiku about the Eiffel Tower" → "the Eiffel Tower")."""
    match = _TOPIC.search(prompt[:500])
    if not match:
        return default
    found = match.group(1).strip().strip("\"'“”")
    return swap_person(found) if found else default


def bare_topic(prompt: str, default: str = "") -> str:
    """The topic without its article ("the rain" → "rain")."""
    return _ARTICLE.sub("", topic(prompt, default)) or default

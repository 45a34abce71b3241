"""What a prompt says, as values a field can take: people's names, places, e-mail addresses, ages,
dates, numbers, and the keys a prompt asks a JSON answer to have.

Everything is read from the prompt as written (names keep their case); a field's name says which kind
of value it wants (`value_for`).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache

from emulator.model import facts, wording

_MAX_SOURCE = 8000  # the first characters of a prompt are what is read

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(r"\bhttps?://[^\s,;\"'<>)\]]+|\bwww\.[^\s,;\"'<>)\]]+")
_PHONE = re.compile(r"(?<![\w@.])\+?\d[\d ().-]{6,}\d(?![\w@])")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = "january february march april may june july august september october november december".split()
_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_WORD_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?|{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:,?\s+(\d{{4}}))?)\b"
)
_AGE = re.compile(
    r"\b(?:is|aged|age[:=]?|age of|,)\s*(\d{1,3})\b(?!\s*(?:%|percent|kg|km|cm|m\b|mm|lb|dollars|euros|"
    r"years? ago|,\d))|\b(\d{1,3})[- ](?:years?|yrs?)[- ]old\b|\bage\D{0,6}(\d{1,3})\b",
    re.I,
)
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")
_MONEY = re.compile(
    r"[$€£¥]\s?(\d+(?:,\d{3})*(?:\.\d+)?)|(\d+(?:,\d{3})*(?:\.\d+)?)\s?(?:dollars|euros|pounds|usd|eur|gbp)\b",
    re.I,
)
_PROPER = re.compile(
    r"\b[A-Z][\w'’-]*(?:[ \t]+(?:(?:de|da|del|van|von|der|la|le|of|the)[ \t]+)?[A-Z][\w'’-]*)*"
)
_PLACE_CUE = re.compile(
    r"\b(?:in|from|near|visit|visiting|lives in|based in|located in|(?:moved|travel|trip|flying|going|went|fly|"
    r"move|relocated|drive|driving|headed|heading) to|born in|capital of)\s+$",
    re.I,
)
_COMPANY_CUE = re.compile(r"\b(?:works at|works for|employed by|employer is|at|for|joined)\s+$", re.I)
_COMPANY_SUFFIX = re.compile(r"\b(Inc|Ltd|LLC|Corp|Corporation|GmbH|Company|Co|Group|Labs|Technologies)\b\.?")
_LABELLED = re.compile(r"(?:^|[\n,;{(])\s*[\"']?([A-Za-z][\w ]{0,24}?)[\"']?\s*[:=]\s*([^,;\n}]+)")
_QUOTED = re.compile(r"[\"“'‘`]([^\"”'’`\n]{1,80})[\"”'’`]")

KNOWN_PLACES = frozenset(
    """amsterdam athens auckland austin bangkok barcelona beijing berlin bogota boston brussels budapest
    buenos cairo canberra cape chicago copenhagen dallas delhi denver dubai dublin edinburgh florence geneva
    hamburg helsinki hong istanbul jakarta johannesburg kyiv kyoto lagos lima lisbon london los lyon madrid
    manchester melbourne mexico miami milan montreal moscow mumbai munich nairobi naples new oslo ottawa
    paris perth portland prague quebec reykjavik rio rome san santiago seattle seoul shanghai singapore
    stockholm sydney taipei tokyo toronto valencia vancouver venice vienna warsaw washington zurich
    africa america argentina asia australia austria belgium brazil california canada chile china colombia
    denmark egypt england europe finland france germany greece hungary iceland india indonesia ireland
    italy japan kenya korea mexico morocco netherlands nigeria norway peru poland portugal russia scotland
    spain sweden switzerland texas thailand turkey ukraine vietnam wales york florida ontario bavaria""".split()
)
_NOT_NAMES = frozenset(
    """extract write give tell list return summarise summarize explain describe translate classify create
    make suggest invent name please json output provide generate answer find the a an this that these those
    send call book schedule remind ask buy order pay meet contact email reply forward invite add update
    here there what when where which who why how is are hello hi dear thanks thank yes no ok okay i my we our
    you your he she it they monday tuesday wednesday thursday friday saturday sunday today tomorrow
    yesterday email e-mail customer user order ticket note dr mr mrs ms prof sir""".split()
) | frozenset(_MONTHS)


@dataclass
class Found:
    """The values one prompt holds, in the order they appear."""

    emails: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    dates: list[datetime.date] = field(default_factory=list)
    date_texts: list[str] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    money: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    labelled: dict[str, str] = field(default_factory=dict)


def _add(items: list[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


def read(source: str) -> Found:
    text = source[:_MAX_SOURCE]
    found = Found()
    for match in _EMAIL.finditer(text):
        _add(found.emails, match.group(0).rstrip("."))
    masked = _EMAIL.sub(" ", text)
    for match in _URL.finditer(masked):
        _add(found.urls, match.group(0).rstrip(".,"))
    masked = _URL.sub(" ", masked)
    for match in _ISO_DATE.finditer(masked):
        try:
            found.dates.append(datetime.date(int(match[1]), int(match[2]), int(match[3])))
            found.date_texts.append(match.group(0))
        except ValueError:
            pass
    for match in _WORD_DATE.finditer(masked):
        day, month, year = (match[1], match[2], match[3]) if match[1] else (match[5], match[4], match[6])
        try:
            number = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(month.lower()[:3]))
            found.dates.append(datetime.date(int(year) if year else 2025, number, int(day)))
            found.date_texts.append(match.group(0))
        except (ValueError, StopIteration):
            pass
    dateless = _WORD_DATE.sub(" ", _ISO_DATE.sub(" ", masked))
    for match in _PHONE.finditer(dateless):
        if sum(c.isdigit() for c in match.group(0)) >= 7:
            _add(found.phones, match.group(0).strip())
    for match in _AGE.finditer(dateless):
        value = int(next(g for g in match.groups() if g))
        if 0 < value < 130:
            found.ages.append(value)
    for match in _MONEY.finditer(dateless):
        _add(found.money, (match[1] or match[2]).replace(",", ""))
    for match in _NUMBER.finditer(_PHONE.sub(" ", dateless)):
        _add(found.numbers, match.group(0).replace(",", ""))
    for match in _LABELLED.finditer(text):
        key = wording.field_key(match[1])
        if key and key not in found.labelled:
            found.labelled[key] = match[2].strip().strip("\"'").strip()
    for match in _QUOTED.finditer(text):
        _add(found.quoted, match[1].strip())
    _read_names(text, found)
    return found


def _read_names(text: str, found: Found) -> None:
    masked = _URL.sub(" ", _EMAIL.sub(" ", text))
    for match in _PROPER.finditer(masked):
        phrase = match.group(0).rstrip(".'’-")
        words = phrase.split()
        while words and words[0].lower() in _NOT_NAMES:
            words.pop(0)
        while words and words[-1].lower() in (
            "of",
            "the",
            "de",
            "da",
            "del",
            "van",
            "von",
            "der",
            "la",
            "le",
        ):
            words.pop()
        if not words:
            continue
        phrase = " ".join(words)
        if any(phrase in quoted for quoted in found.quoted):
            continue  # a quoted title ("Blade Runner"), not a person or place
        start = match.start() + match.group(0).find(words[0])
        before = masked[max(0, start - 24) : start]
        at_sentence_start = wording.starts_sentence(masked, start)
        lowered = [w.lower().strip(".") for w in words]
        company = _COMPANY_SUFFIX.search(phrase) or (
            _COMPANY_CUE.search(before) and not _PLACE_CUE.search(before)
        )
        if company and not any(w in KNOWN_PLACES for w in lowered):
            _add(found.companies, phrase)
            continue
        if _PLACE_CUE.search(before) or any(w in KNOWN_PLACES for w in lowered):
            _add(found.places, phrase)
            continue
        if len(words) == 1 and at_sentence_start and lowered[0] in wording.COMMON_WORDS:
            continue
        if all(w in _NOT_NAMES or w in wording.COMMON_WORDS for w in lowered):
            continue
        _add(found.people, phrase)


# Field names, by the kind of value they hold. A name matches a hint when it is the hint or ends in it
# after "_" (e.g. "customer_email").
_KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("email", ("email", "e-mail", "mail", "emailaddress", "email_address")),
    ("url", ("url", "uri", "website", "link", "homepage", "href", "site")),
    ("phone", ("phone", "telephone", "mobile", "cell", "phone_number", "tel")),
    ("first_name", ("first_name", "firstname", "given_name", "forename")),
    ("last_name", ("last_name", "lastname", "surname", "family_name")),
    ("age", ("age", "age_years", "years_old")),
    ("date", ("date", "birthday", "dob", "birth_date", "deadline", "due", "when", "day", "start", "end")),
    (
        "place",
        (
            "city",
            "town",
            "location",
            "place",
            "address",
            "destination",
            "origin",
            "region",
            "country",
            "state",
            "venue",
            "hometown",
            "residence",
            "where",
        ),
    ),
    ("company", ("company", "organization", "organisation", "employer", "org", "business", "firm")),
    ("money", ("price", "cost", "amount", "salary", "total", "budget", "fee", "revenue")),
    (
        "person",
        (
            "name",
            "full_name",
            "fullname",
            "person",
            "author",
            "customer",
            "user",
            "contact",
            "director",
            "writer",
            "artist",
            "composer",
            "founder",
            "ceo",
            "inventor",
            "painter",
            "actor",
            "winner",
            "patient",
            "employee",
            "speaker",
            "guest",
            "owner",
            "sender",
            "recipient",
            "attendee",
            "participant",
            "member",
            "who",
            "student",
            "manager",
            "organizer",
            "organiser",
            "host",
            "presenter",
        ),
    ),
    ("title", ("title", "book", "movie", "film", "song", "product", "item", "subject", "topic")),
    ("number", ("count", "quantity", "number", "num", "total_count", "year", "score", "rating", "level")),
]


@lru_cache(maxsize=4096)
def kind_of(name: str) -> str | None:
    """The kind of value a field's name asks for ("customer_email" → "email"), or None."""
    lowered = wording.field_key(name)
    if not lowered:
        return None
    for kind, hints in _KINDS:
        for hint in hints:
            if lowered == hint or lowered.endswith("_" + hint) or (len(hint) > 4 and lowered.endswith(hint)):
                return kind
    return None


def value_for(name: str, found: Found) -> str | int | None:
    """The prompt's value for a field of this name: labelled in the prompt ("age: 34"), else the first
    value of the kind the name asks for; None when the prompt has none."""
    key = wording.field_key(name)
    if key in found.labelled:
        labelled = found.labelled[key]
        return int(labelled) if kind_of(name) == "age" and labelled.isdigit() else labelled
    kind = kind_of(name)
    if kind is None:
        return None
    if kind == "email":
        return found.emails[0] if found.emails else None
    if kind == "url":
        return found.urls[0] if found.urls else None
    if kind == "phone":
        return found.phones[0] if found.phones else None
    if kind in ("person", "first_name", "last_name"):
        if not found.people:
            return None
        # A full name before a lone capitalised word, which may only start a sentence ("Send ...").
        person = next((p for p in found.people if " " in p), found.people[0])
        if kind == "first_name":
            return person.split()[0]
        if kind == "last_name":
            return person.split()[-1]
        return person
    if kind == "age":
        return found.ages[0] if found.ages else None
    if kind == "date":
        return found.dates[0].isoformat() if found.dates else None
    if kind == "place":
        if key.endswith("country"):
            return next((p for p in found.places if p.lower() in facts.CAPITALS), None)
        if key.endswith("city"):
            return next((p for p in found.places if p.lower() not in facts.CAPITALS), None)
        return found.places[0] if found.places else None
    if kind == "company":
        return found.companies[0] if found.companies else None
    if kind == "money":
        return found.money[0] if found.money else None
    if kind == "title":
        return found.quoted[0] if found.quoted else None
    if kind == "number":
        if key.endswith("year"):
            return next((n for n in found.numbers if len(n) == 4 and n.isdigit()), None)
        return found.numbers[0] if found.numbers else None
    return None


_KEYS = re.compile(
    r"\b(?:keys?|fields?|properties|attributes|entries)\b\s*(?:named|called|:|of)?\s*([^.;:\n]{1,600})",
    re.I,
)
_KEY_SPLIT = re.compile(r"\s*(?:,|\band\b|\bor\b|&|/)\s*")


def asked_keys(prompt: str) -> list[str]:
    """The keys a prompt asks a JSON answer to have ("Return JSON with keys name, age and city"), at
    most 20; empty when it names none."""
    match = _KEYS.search(prompt[:2000])
    if not match:
        return []
    keys: list[str] = []
    for part in _KEY_SPLIT.split(match.group(1)):
        part = re.split(r"\s+(?:for|from|of|about|in|on|with|that|to)\b", part.strip(), maxsplit=1)[0]
        part = part.strip().strip("\"'`“”‘’()[]{}").strip()
        if not part or len(part) > 40 or len(part.split()) > 3:
            continue
        if part.lower() in ("the", "a", "an", "json", "with"):
            continue
        key = part if re.fullmatch(r"[A-Za-z_][\w-]*", part) else wording.field_key(part)
        if key and key not in keys:
            keys.append(key)
        if len(keys) >= 20:
            break
    return keys

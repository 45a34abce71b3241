"""The deterministic writer: what the last user message asks for, answered in the form it asks for.

The request is read for its kind (a greeting, a summary, a translation, a label, code, a haiku, a poem
of N lines, a list of N items, a name, an invented thing, a joke, a short piece, arithmetic, a question,
an explanation) and handed to the writer for that kind. The system prompt is read only for cues (a
summariser, a one-sentence limit): its words never appear in the answer. Choices come from a
`Variation`, so the same request always gets the same text and another seed, temperature or choice
index gets another, equally plausible one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.model import answers, extract, facts, forms, summary, text, wording
from emulator.model.memo import Memo
from emulator.model.variation import Variation

_READ = 600  # the part of a message read for its kind; summaries read all of it
_GREETING = re.compile(r"(hi|hello|hey|hiya|good (morning|afternoon|evening))( there)?[!.,? ]*", re.I)
_SUMMARY_CUE = re.compile(
    r"\b(summari[sz]e|summary|summarising|summarizing|tl;?dr|sum up|condense|gist|key points)\b", re.I
)
_SYSTEM_SUMMARY = re.compile(r"\b(summar|concise|tl;?dr|key points|overview)", re.I)
_ONE_SENTENCE = re.compile(
    r"\b(one|1|a single|single)[- ]sentence\b|\bin a sentence\b|\bone[- ]liner?\b", re.I
)
_SENTENCES = re.compile(r"\b(?:in|with|using)\s+(\w+)\s+sentences\b", re.I)
_TRANSLATE = re.compile(
    r"\btranslate\b|\bhow (?:do|would) you say\b|\bin (?:french|spanish|german|italian|portuguese|japanese)\s*[?.]?$",
    re.I,
)
_CLASSIFY = re.compile(
    r"\b(classify|categori[sz]e|sentiment|spam or not|is this (?:email|message|review|text) (?:spam|positive|negative))\b",
    re.I,
)
_CODE = re.compile(
    r"\b(write|create|implement|give me|show me|generate|code)\b.{0,80}\b(function|script|program|snippet|regex|"
    r"query|class|method|code)\b|\b(python|javascript|typescript|sql|bash|rust|golang)\b.{0,40}\b(function|code|script|query)\b",
    re.I,
)
_POEM = re.compile(r"\b(poem|limerick|sonnet|verse|couplet|quatrain|rhyme|ode)\b", re.I)
_LINES = re.compile(r"\b(\w+)[- ]lines?\b", re.I)
_NAMING = re.compile(
    r"\b(suggest|come up with|give me|invent|propose|think of|need|brainstorm|pick|what should i)\b.{0,40}\bnames?\b"
    r"|\bname (?:for|my)\b",
    re.I,
)
_INVENT = re.compile(
    r"\b(invent|imagine|make up|dream up|design)\b.{0,40}\b(new|fictional|imaginary|species|creature)\b|\bnew species\b",
    re.I,
)
_COUNTED = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|a few|a couple of)"
    r"\s+(?:[\w-]+\s+){0,3}?(tips|ideas|ways|reasons|examples|things|steps|items|facts|benefits|names|questions|"
    r"fruits|vegetables|colou?rs|animals|planets|languages|countries|cities|sports|instruments|books|"
    r"suggestions|activities|strategies|habits|options|points|bullet points|words|places|foods|dishes|tools)\b",
    re.I,
)
_LIST = re.compile(
    r"^\s*(?:please\s+)?(list|enumerate|name)\b|\b(tips|ideas|ways to|reasons|suggestions|advice|recommendations)\b",
    re.I,
)
_JOKE = re.compile(r"\b(joke|pun|something funny)\b", re.I)
_PIECE = re.compile(
    r"^\s*(?:please\s+)?(?:write|draft|compose|create|give me)\b.{0,40}?\b(story|email|e-mail|letter|paragraph|post|essay|"
    r"description|note|message|bio|tweet)\b",
    re.I,
)
_EXPLAIN = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+)?(explain|describe|tell me about|talk about|what do you know about|"
    r"give me an overview of|define)\s+(.+?)[.?!]*$",
    re.I | re.S,
)
_QUESTION_START = re.compile(
    r"^\s*(who|what|what's|when|where|which|why|how|is|are|was|were|can|could|should|would|will|do|does|did|"
    r"has|have)\b",
    re.I,
)
_CONTENT_AFTER_COLON = re.compile(r"^[^:\n]{0,200}:\s*", re.S)


@dataclass(frozen=True)
class Request:
    """What the last user message asks for."""

    kind: str
    count: int | None = None  # items, lines or sentences asked for
    content: str = ""  # the text to work on (a summary's source), or the request itself


def _count(word: str | None) -> int | None:
    return wording.count_from(word) if word else None


def _sentences_asked(head: str) -> int | None:
    if _ONE_SENTENCE.search(head):
        return 1
    match = _SENTENCES.search(head)
    return _count(match.group(1)) if match else None


def classify(system: str, user: str) -> Request:
    stripped = user.strip()
    head = stripped[:_READ]
    if not stripped:
        return Request("greeting")
    if _GREETING.fullmatch(stripped):
        return Request("greeting")
    sentences = _sentences_asked(head) or (1 if _ONE_SENTENCE.search(system[:_READ]) else None)
    if _SUMMARY_CUE.search(head[:300]):
        colon = _CONTENT_AFTER_COLON.match(stripped)
        content = stripped[colon.end() :] if colon else _without_first_sentence(stripped)
        return Request("summary", sentences, content or stripped)
    if _SYSTEM_SUMMARY.search(system[:_READ]) and len(stripped.split(maxsplit=8)) > 8:
        return Request("summary", sentences, stripped)
    if _TRANSLATE.search(head):
        return Request("translation")
    if _CLASSIFY.search(head):
        return Request("classification")
    if _CODE.search(head):
        return Request("code")
    if re.search(r"\bhaiku\b", head, re.I):
        return Request("haiku", 3)
    poem = _POEM.search(head)
    if poem and not re.search(r"\b(explain|what is|analy[sz]e)\b", head, re.I):
        return Request("poem", _poem_lines(poem.group(1).lower(), head))
    counted = _COUNTED.search(head)
    if _INVENT.search(head):
        return Request("invention", sentences or 2)
    if _NAMING.search(head) and not counted:
        return Request("name")
    if counted:
        return Request("list", _count(counted.group(1)) or 3)
    if _JOKE.search(head):
        return Request("joke")
    piece = _PIECE.search(head)
    if piece:
        return Request("piece:" + piece.group(1).lower().replace("e-mail", "email"), sentences)
    if _LIST.search(head) and not re.match(r"^\s*(how|why|who|when|where)\b", head, re.I):
        return Request("list", 4)
    if answers.is_arithmetic(head):
        return Request("arithmetic")
    explain = _EXPLAIN.match(head)
    if explain:
        return Request("explanation", sentences, explain.group(2))
    if (stripped.endswith("?") or _QUESTION_START.match(head)) and len(head.split(maxsplit=40)) <= 40:
        return Request("question", sentences)
    if len(stripped.split(maxsplit=60)) > 60:
        return Request("summary", sentences, stripped)
    return Request("statement", sentences)


def _poem_lines(form: str, head: str) -> int:
    fixed = {"limerick": 5, "sonnet": 14, "couplet": 2, "quatrain": 4}
    if form in fixed:
        return fixed[form]
    match = _LINES.search(head)
    if match:
        asked = _count(match.group(1))
        if asked:
            return asked
    return 4


def _without_first_sentence(text_: str) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text_, maxsplit=1)
    return parts[1] if len(parts) == 2 else text_


_KINDS: Memo[Request] = Memo(4096)


def request_of(system: str, user: str) -> Request:
    return _KINDS.get((system[:_READ], user[:_READ], len(user)), classify, system, user)


_FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|and what about)\s+(.{1,60}?)\s*\?*\s*$", re.I)
_LAST_NAME_IN = re.compile(r"(?:[A-Z][\w'-]*)(?:\s+[A-Z][\w'-]*)*(?=[^A-Z]*$)")


def _follow_up(user: str, context: str) -> str | None:
    """ "What about Spain?" after "What is the capital of France?": the earlier question, about Spain."""
    match = _FOLLOW_UP.match(user)
    if not match or not context:
        return None
    questions: list[str] = re.findall(r"[^.!?]*\?", context[-600:])
    earlier = [q for q in questions if q.strip()]
    if not earlier:
        return None
    question = earlier[-1].strip()
    named = _LAST_NAME_IN.search(question)
    if not named or named.start() == 0:
        return None
    return question[: named.start()] + match.group(1) + question[named.end() :]


def write(system: str, user: str, context: str, vary: Variation) -> str:
    again = _follow_up(user, context)
    if again is not None:
        user = again
    asked = request_of(system, user)
    kind = asked.kind
    if kind == "greeting":
        return vary.first(
            [
                "Hello! How can I help you today?",
                "Hi there! What can I do for you?",
                "Hello! What would you like to talk about?",
                "Hi! How can I assist you today?",
            ]
        )
    if kind == "summary":
        return summary.summarise(asked.content, vary, asked.count)
    if kind == "translation":
        return forms.translation(user, vary)
    if kind == "classification":
        return forms.classify(user, vary)
    if kind == "code":
        return forms.code(user, vary)
    if kind == "haiku":
        return forms.haiku(_subject(user, "rain"), vary)
    if kind == "poem":
        return forms.poem(_subject(user, "the sea"), asked.count or 4, vary)
    if kind == "name":
        return forms.name_answer(user, vary)
    if kind == "invention":
        return forms.invention(user, vary, asked.count or 2)
    if kind == "list":
        return forms.list_answer(user, asked.count or 4, vary)
    if kind == "joke":
        return forms.joke(user, vary)
    if kind.startswith("piece:"):
        return forms.piece(kind[6:], user, vary, asked.count)
    if kind == "arithmetic":
        return answers.arithmetic_answer(user.strip()[:_READ], vary) or answers.answer(user, vary)
    if kind == "explanation":
        return explanation(asked.content, vary, asked.count)
    if kind == "question":
        reply = answers.answer(user.strip()[:_READ], vary)
        return _limit_sentences(reply, asked.count)
    return statement(user, vary)


_FORM_WORDS = re.compile(
    r"\b(?:\w+[- ]line|short|long|little|funny|sad|happy|rhyming|free[- ]verse|haiku|poem|limerick|sonnet)\s+",
    re.I,
)


def _subject(user: str, default: str) -> str:
    """A creative request's subject, without the words that only describe the form ("four-line")."""
    found = wording.topic(user)
    if not found:
        return default
    return _FORM_WORDS.sub("", found).strip() or default


def _limit_sentences(reply: str, count: int | None) -> str:
    if not count:
        return reply
    parts = re.split(r"(?<=[.!?])\s+", reply)
    return " ".join(parts[:count])


_HOW_TOLD = re.compile(
    r"\s+(?:in (?:\w+|a single|one) sentences?|in (?:simple|plain|a few) (?:terms|words)|briefly|simply|"
    r"in detail|for (?:a|an) \w+(?: \w+)?)$",
    re.I,
)


def explanation(subject: str, vary: Variation, sentences: int | None) -> str:
    subject = wording.swap_person(_HOW_TOLD.sub("", subject.strip().rstrip(".?!")))
    how = re.match(r"^(how|why)\s+(.+)$", subject, re.I)
    if how:
        reply = answers.answer(subject + "?", vary)
        return _limit_sentences(reply, sentences)
    shown = wording.capitalised(subject)
    place = _place(subject, vary)
    if place:
        return " ".join(place[: sentences or 2])
    known = facts.DEFINITIONS.get(subject.lower())
    lead = (
        vary.first(
            [f"{shown} is {known}.", f"In short, {subject} is {known}.", f"Put simply, {subject} is {known}."]
        )
        if known
        else None
    )
    lines = [
        lead
        or vary.first(
            [
                f"{shown} is best known for what it makes possible: it turns a hard problem into a series of "
                "manageable steps.",
                f"{shown} brings together a few simple ideas that, combined, explain a lot.",
                f"At its core, {subject} is about how parts of a system influence one another.",
                f"{shown} describes a pattern that shows up again and again once you know to look for it.",
            ]
        ),
        vary.pick(
            [
                "It starts from a small set of basic rules, and everything else builds on them.",
                "Its main parts each do one job, and the interesting behaviour comes from how they interact.",
            ]
        ),
        vary.pick(
            [
                "A good way to learn it is to work through one concrete example from start to finish.",
                "In practice, most people meet it through everyday examples long before they learn its name.",
            ]
        ),
    ]
    return " ".join(lines[: sentences or (1 if known else 3)])


_CAPITAL_OF = {city.lower(): country.title() for country, city in facts.CAPITALS.items() if len(country) > 3}


def _place(subject: str, vary: Variation) -> list[str] | None:
    """Sentences about a city or country the prompt names, or None when the subject is not one."""
    lowered = subject.lower()
    if lowered in facts.CAPITALS and subject[:1].isupper():
        return [
            vary.first(
                [
                    f"{subject} is a country whose capital is {facts.CAPITALS[lowered]}.",
                    f"{subject}'s capital is {facts.CAPITALS[lowered]}, its largest centre of government.",
                    f"{subject} is a country best known for its landscapes, food and history.",
                ]
            ),
            vary.pick(
                [
                    "Its cities mix old quarters with modern neighbourhoods.",
                    "Visitors usually start in the capital and then travel out to the regions.",
                ]
            ),
        ]
    if lowered in _CAPITAL_OF:
        country = _CAPITAL_OF[lowered]
        return [
            vary.first(
                [
                    f"{subject} is the capital of {country}.",
                    f"{subject}, the capital of {country}, is its political and cultural centre.",
                    f"As the capital of {country}, {subject} is its largest hub for government and culture.",
                ]
            ),
            vary.pick(
                [
                    "It is known for its historic centre, its museums and its food.",
                    "Its old town, markets and riverside walks draw visitors all year.",
                ]
            ),
        ]
    if lowered in extract.KNOWN_PLACES and subject[:1].isupper():
        return [
            vary.first(
                [
                    f"{subject} is a city known for its history, its neighbourhoods and its food.",
                    f"{subject} is a lively place with a long history.",
                    f"{subject} draws visitors for its architecture, culture and food.",
                ]
            ),
            vary.pick(
                ["Its centre is easy to explore on foot.", "It has a busy cultural calendar all year."]
            ),
        ]
    return None


def statement(user: str, vary: Variation) -> str:
    """A reply to a remark or instruction the other writers do not cover."""
    stripped = user.strip()[:_READ]
    topic = wording.topic(stripped)
    subject = topic or _main_phrase(stripped)
    return vary.first(
        [
            f"Got it. Happy to help with {subject} — what would you like to do first?",
            f"Thanks for sharing that. Here's a thought on {subject}: start with the part that matters most "
            "to you, and build from there.",
            f"Sounds good. For {subject}, I'd begin by deciding what a good result looks like.",
            f"Understood — {subject}. Tell me a bit more and I can go into detail.",
        ]
    )


def _main_phrase(text_: str) -> str:
    found = extract.read(text_)
    if found.places or found.people:
        return (found.places + found.people)[0]
    terms = text.key_terms(text_, 2)
    return " and ".join(terms) if terms else "that"


def json_object(system: str, user: str, context: str, vary: Variation) -> dict[str, Any]:
    """A `json_object` answer: the keys the prompt asks for, filled from the prompt; else an answer and
    its keywords."""
    prompt = user or system
    keys = extract.asked_keys(user) or extract.asked_keys(system)
    if not keys:
        return {"answer": write(system, user, context, vary), "keywords": text.key_terms(prompt, 5)}
    found = extract.read(user)
    out: dict[str, Any] = {}
    for key in keys:
        value: Any = extract.value_for(key, found)
        if value is None:
            value = _unfound(key, user, found, vary)
        elif extract.kind_of(key) in ("age", "number", "money") and isinstance(value, str):
            value = _number(value)
        out[key] = value
    return out


def _number(value: str) -> int | float | str:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def _unfound(key: str, user: str, found: extract.Found, vary: Variation) -> Any:
    lowered = wording.field_key(key)
    if any(h in lowered for h in ("keyword", "tag", "topic", "skill", "item", "list")):
        return text.key_terms(user, 3)
    if "sentiment" in lowered or "label" in lowered or "category" in lowered:
        return forms.classify(user, Variation(0, vary.rng)).split(" ")[0].rstrip(".:")
    if extract.kind_of(key) in ("age", "number", "money") or lowered.startswith(("num", "count")):
        return vary.rng.randint(1, 10)
    if lowered.startswith(("is_", "has_")):
        return vary.rng.random() < 0.5
    reply = write("", user, "", vary)
    return reply.split("\n")[0][:200]

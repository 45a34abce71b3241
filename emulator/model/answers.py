"""Answers to questions: a direct sentence, as a model gives one.

Known facts come from `facts`, arithmetic is worked out exactly by `arithmetic`; anything else gets a
plausible invented answer of the right shape (a name for "who", a year for "when", a place for "where",
a number for "how many", a definition for "what is"), stable for a given subject.
"""

from __future__ import annotations

import re

from emulator.model import arithmetic, facts, wording
from emulator.model.variation import Variation, stable

FIRST_NAMES = (
    "Elena Margaret Thomas Samuel Clara Henry Amelia Jonas Ingrid Victor Rosa Arthur Lucia Felix Nora "
    "Walter Helena Oscar Miriam Edmund"
).split()
LAST_NAMES = (
    "Hartley Moreau Lindqvist Carver Okafor Bellamy Tanaka Whitfield Navarro Ashford Kowalski Brennan "
    "Delacroix Fairbanks Holloway Marsh Pemberton Quinlan Sørensen Vance"
).split()
PLACES = (
    "Lyon,Edinburgh,Kraków,Porto,Gothenburg,Bologna,Ghent,Utrecht,Valparaíso,Kyoto,Tartu,Salzburg,"
    "Aarhus,Bergen,Seville,Trieste"
).split(",")

_ARITHMETIC_CUE = re.compile(
    r"^\s*(?:what(?:'s| is| are)|calculate|compute|evaluate|solve|work out|how much is|find)\b|^[\d(\s.-]",
    re.I,
)
_AUX = r"is|are|was|were|can|could|should|would|will|do|does|did|has|have|had|may|might|must"
_YES_NO = re.compile(rf"^({_AUX})\s+(.+)$", re.I)
_DETERMINERS = frozenset("the a an my your our their his her its this that these those some any".split())


def person(rng_key: str) -> str:
    rng = stable(rng_key)
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def is_arithmetic(question: str) -> bool:
    return bool(_ARITHMETIC_CUE.search(question)) and arithmetic.solve(question) is not None


def arithmetic_answer(question: str, vary: Variation) -> str | None:
    if not _ARITHMETIC_CUE.search(question):
        return None
    result = arithmetic.solve(question)
    if result is None:
        return None
    expression, value = result.expression, result.value
    return vary.first(
        [
            f"{expression} = {value}.",
            f"The answer is {value}.",
            f"{expression} is {value}.",
            f"That comes to {value}.",
            f"It's {value} ({expression} = {value}).",
        ]
    )


def answer(question: str, vary: Variation) -> str:
    """A direct answer to a question of a few words."""
    core = question.strip().rstrip("?").strip()
    worked = arithmetic_answer(core, vary)
    if worked is not None:
        return worked
    known = facts.lookup(core)
    if known:
        return vary.first(known)
    lowered = core.lower()
    if re.match(r"^how (do|can|should|would) (i|we|you|one)\b", lowered) or lowered.startswith("how to "):
        return how_to(core, vary)
    if " or " in core and _YES_NO.match(core):
        return _statement(core, vary)  # "Should I learn Python or JavaScript first?": a choice
    for pattern, writer in _BY_WORD:
        match = pattern.match(core)
        if match:
            return writer(match, vary)
    return _statement(core, vary)


def how_to(core: str, vary: Variation) -> str:
    subject = re.sub(r"^how (do|can|should|would) (i|we|you|one)\s+|^how to\s+", "", core, flags=re.I)
    subject = wording.swap_person(subject).rstrip("?. ")
    rng = vary.rng
    steps = [
        rng.choice(
            [
                f"Gather what you need to {subject} before you start: materials, tools and enough time.",
                f"Prepare first: find a reliable guide and collect everything you need to {subject}.",
            ]
        ),
        rng.choice(
            [
                "Work through it in small stages, checking the result of each one before moving on.",
                "Follow the steps in order and avoid shortcuts the first time; most problems come from "
                "skipped steps.",
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
        steps.append(f"Keep notes on what worked, so the next time you {subject} it goes faster.")
    opener = vary.first(
        [
            f"To {subject}, follow these steps:",
            f"Here is how to {subject}:",
            f"You can {subject} in a few steps:",
        ]
    )
    return f"{opener}\n\n" + "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))


def _who(match: re.Match[str], vary: Variation) -> str:
    verb, rest = match.group(1), match.group(2).strip()
    if verb.lower() in ("is", "was", "are", "were"):
        someone = wording.capitalised(rest)
        rng = stable(rest)
        role = rng.choice(
            ["researcher", "writer", "engineer", "architect", "historian", "musician", "designer"]
        )
        place = rng.choice(PLACES)
        return vary.first(
            [
                f"{someone} {verb.lower()} a {role} from {place}, best known for their early work in the field.",
                f"{someone} {verb.lower()} a {place}-based {role} whose work is widely cited.",
                f"{someone} is remembered as a {role} who worked mostly in {place}.",
            ]
        )
    who = person(rest)
    year = stable(rest).randint(1850, 2010)
    participle = _PARTICIPLES.get(verb.lower(), verb.lower())
    shown = wording.capitalised(rest)
    return vary.first(
        [
            f"{shown} was {participle} by {who} in {year}.",
            f"{who} {verb.lower()} {rest}, in {year}.",
            f"That was {who}, in {year}.",
            f"It was {who}: {rest} dates from {year}.",
        ]
    )


_PARTICIPLES = {
    "wrote": "written",
    "built": "built",
    "drew": "drawn",
    "sang": "sung",
    "made": "made",
    "founded": "founded",
    "invented": "invented",
    "discovered": "discovered",
    "designed": "designed",
    "created": "created",
    "painted": "painted",
    "composed": "composed",
    "directed": "directed",
    "developed": "developed",
    "won": "won",
    "led": "led",
}


def _when(match: re.Match[str], vary: Variation) -> str:
    rest = match.group(2).strip()
    landmark = _landmark(rest)
    year: int | str = landmark[1] if landmark else stable(rest).randint(1820, 2015)
    words = rest.split()
    if len(words) >= 2 and match.group(1).lower() in ("was", "were"):
        statement = f"{wording.capitalised(' '.join(words[:-1]))} {match.group(1).lower()} {words[-1]}"
    else:
        statement = wording.capitalised(rest)
    return vary.first(
        [
            f"{statement} in {year}.",
            f"In {year}.",
            f"That was in {year}.",
            f"It dates to {year}.",
        ]
    )


def _landmark(rest: str) -> tuple[str, str] | None:
    lowered = rest.lower()
    return next((found for name, found in facts.LANDMARKS.items() if name in lowered), None)


def _where(match: re.Match[str], vary: Variation) -> str:
    rest = match.group(2).strip()
    landmark = _landmark(rest)
    place = landmark[0] if landmark else stable(rest).choice(PLACES)
    verb = match.group(1).lower()
    shown = wording.capitalised(rest)
    return vary.first(
        [
            f"{shown} {verb} in {place}.",
            f"In {place}.",
            f"You'll find it in {place}.",
            f"{shown} {verb} located in {place}." if verb in ("is", "are") else f"It was in {place}.",
        ]
    )


def _how_many(match: re.Match[str], vary: Variation) -> str:
    measure, rest = match.group(1).lower(), match.group(2).strip()
    rng = stable(rest)
    if measure == "many":
        value = str(rng.randint(3, 60))
    elif measure == "long":
        value = rng.choice(
            ["about 20 minutes", "around two hours", "roughly three weeks", "about 45 minutes"]
        )
    elif measure == "old":
        value = f"{rng.randint(5, 90)} years old"
    elif measure == "far":
        value = f"about {rng.randint(2, 900)} km"
    elif measure == "much":
        value = f"about ${rng.randint(5, 400)}"
    else:
        value = rng.choice(["usually once or twice a week", "about once a month", "every few days"])
    return vary.first(
        [
            f"The usual answer is {value}.",
            f"About {value}." if measure == "many" else f"Typically {value}.",
            f"It's {value}, give or take.",
            f"Roughly {value}.",
        ]
    )


_CAUSES = (
    "of how the underlying process balances energy and time",
    "that arrangement is the most stable one",
    "small differences add up over many repetitions",
    "it is the simplest way for the system to settle",
)


def _why(match: re.Match[str], vary: Variation) -> str:
    rest = wording.swap_person(match.group(0)[4:].strip())
    statement = wording.capitalised(_statement_of(rest))
    cause = stable(rest).choice(_CAUSES)
    return vary.first(
        [
            f"{statement} mainly because {cause}.",
            f"Mostly because {cause}.",
            f"The main reason is that {cause.removeprefix('of ')}."
            if cause.startswith("of ")
            else (f"The main reason: {cause}."),
            f"In short, because {cause}.",
        ]
    )


def _statement_of(rest: str) -> str:
    """A yes/no or why question's words as a statement: "do cats purr" → "Cats purr"."""
    match = _YES_NO.match(rest)
    if not match:
        return rest
    aux, body = match.group(1).lower(), match.group(2)
    words = body.split()
    cut = 1
    if words and words[0].lower() in _DETERMINERS and len(words) > 1:
        cut = 2
    subject, tail = " ".join(words[:cut]), " ".join(words[cut:])
    if aux in ("do", "does", "did"):
        return f"{subject} {tail}".strip()
    return f"{subject} {aux} {tail}".strip()


def _yes_no(match: re.Match[str], vary: Variation) -> str:
    core = wording.swap_person(match.group(0))
    statement = _statement_of(core)
    aux = match.group(1).lower()
    yes = stable(core).random() < 0.8 or aux in ("do", "does", "did")
    if not yes:
        negated = {"can": "cannot", "will": "won't", "is": "isn't", "are": "aren't", "should": "shouldn't"}
        statement = re.sub(rf"\b{aux}\b", negated.get(aux, f"{aux} not"), statement, count=1)
    word = "Yes" if yes else "No"
    shown = wording.capitalised(statement)
    return vary.first(
        [
            f"{word}, {statement}.",
            f"{word}. {shown}.",
            f"{word} — {statement}, in most cases.",
            f"Short answer: {word.lower()}. {shown}.",
        ]
    )


_KINDS = (
    (
        re.compile(r"(algorithm|sort|search|hash|tree|graph|queue|stack|database|protocol|api|cache)", re.I),
        "a technique in computing",
        "that organises data so it can be stored, found or processed efficiently",
    ),
    (
        re.compile(r"(language|python|java|rust|sql)$", re.I),
        "a programming language",
        "designed to make programs easier to write and read",
    ),
    (
        re.compile(r"ology$", re.I),
        "a field of study",
        "that examines its subject through observation and evidence",
    ),
    (re.compile(r"ism$", re.I), "a school of thought", "built around a small set of shared principles"),
    (
        re.compile(r"(theorem|law|principle|effect|paradox|theory|equation)$", re.I),
        "a principle",
        "that explains how a quantity changes when the conditions around it change",
    ),
    (
        re.compile(r"(itis|syndrome|disease|virus|disorder|infection)$", re.I),
        "a medical condition",
        "that affects how part of the body works",
    ),
    (
        re.compile(r"(tion|sis|ment|ing)$", re.I),
        "a process",
        "by which something changes step by step into a new form",
    ),
)


def _definition(match: re.Match[str] | _What, vary: Variation) -> str:
    verb, subject = match.group(1).lower(), wording.swap_person(match.group(2).strip())
    bare = re.sub(r"^(the|a|an)\s+", "", subject, flags=re.I)
    kind, clause = "a concept", "that describes how a set of related ideas fit together"
    for pattern, found_kind, found_clause in _KINDS:
        if pattern.search(bare):
            kind, clause = found_kind, found_clause
            break
    if verb == "are":
        plural = re.sub(r"^an? ", "", kind)
        kind = plural + ("es" if plural.endswith("s") else "s") if not kind.startswith("a field") else kind
        clause = clause.replace("describes", "describe").replace("affects", "affect")
    shown = wording.capitalised(subject)
    known = facts.DEFINITIONS.get(subject.lower()) or facts.DEFINITIONS.get(bare.lower())
    singular = (
        facts.DEFINITIONS.get(bare.lower()[:-1]) if verb == "are" and bare.lower().endswith("s") else None
    )
    if singular:
        return vary.first(
            [f"{shown}: each is {singular}.", f"Each of {subject} is {singular}.", f"{shown}: {singular}."]
        )
    if known:
        return vary.first(
            [
                f"{shown} {verb} {known}.",
                f"In short, {subject} {verb} {known}.",
                f"Put simply, {subject} {verb} {known}.",
                f"{shown}: {known}.",
            ]
        )
    extra = vary.pick(
        [
            "",
            " It is usually explained with a simple example before the details.",
            " Most introductions start with where it is used in practice.",
        ]
    )
    return vary.first(
        [
            f"{shown} {verb} {kind} {clause}.{extra}",
            f"In short, {subject} {verb} {kind} {clause}.{extra}",
            f"{shown}: {kind} {clause}.",
            f"Put simply, {subject} {verb} {kind} {clause}.",
        ]
    )


def _statement(core: str, vary: Variation) -> str:
    """Any other question: a direct answer built from its own words."""
    swapped = wording.swap_person(core)
    either = re.search(
        r"((?:the\s+|a\s+|an\s+)?[\w'-]+)\s*,?\s+or\s+((?:the\s+|a\s+|an\s+)?[\w'-]+)", swapped
    )
    if either:
        choice = either.group(1 + stable(swapped).randrange(2))
        compared = re.match(r"^which (is|are) (\w+er|more \w+|less \w+|better|worse)\b", swapped, re.I)
        if compared:
            verb, quality = compared.group(1).lower(), compared.group(2)
            shown = wording.capitalised(either.group(1))  # the first named, as the question expects
            return vary.first(
                [
                    f"{shown} {verb} {quality}.",
                    f"{shown}, by a clear margin.",
                    f"{shown} {verb} the {quality} of the two.",
                ]
            )
        choice = re.sub(r"^(the|a|an)\s+", "", choice, flags=re.I)
        return vary.first(
            [
                f"I'd go with {choice}.",
                f"{wording.capitalised(choice)}, in most cases.",
                f"Most people would choose {choice}.",
                f"{wording.capitalised(choice)} is the better fit for most situations.",
            ]
        )
    which = re.match(r"^(?:which|what)\s+(\w+)\s+(.+)$", swapped, re.I)
    if which and which.group(1).lower() not in _AUX.split("|"):
        noun, rest = which.group(1), which.group(2)
        named = wording.capitalised(stable(rest).choice(LAST_NAMES)) + " " + noun.rstrip("s")
        return vary.first(
            [
                f"The {noun} {rest} is usually said to be the {named}.",
                f"That would be the {named}.",
                f"Most sources point to the {named}.",
            ]
        )
    subject = re.sub(r"^(what|which|how|who)\s+(\w+\s+)?(you|i|we)\s+", "", swapped, flags=re.I)
    return vary.first(
        [
            f"A good place to start: {subject}, one small step at a time.",
            f"Start simple — {subject} with the most familiar option, then refine it.",
            f"The most common approach is to {subject} with whatever is closest to hand.",
        ]
    )


def _how_works(match: re.Match[str], vary: Variation) -> str:
    subject = wording.swap_person(match.group(1).strip())
    verb = (
        "work" if match.group(0).lower().startswith("how do ") or subject.lower().endswith("s") else "works"
    )
    shown = wording.capitalised(subject)
    known = facts.DEFINITIONS.get(subject.lower())
    detail = f" In short, {subject} is {known}." if known else ""
    return vary.first(
        [
            f"{shown} {verb} in a few stages: an input starts the process, each stage changes it a little, and "
            f"the result feeds back to keep things in balance.{detail}",
            f"{shown} {verb} by breaking one job into small steps that each do one thing, then combining "
            f"their results.{detail}",
            f"At heart, {subject} {verb} through a simple cycle: take something in, transform it, pass it on."
            f"{detail}",
        ]
    )


_BY_WORD = [
    (re.compile(r"^how (?:does|do|did)?\s*(.+?)\s+works?$", re.I), _how_works),
    (re.compile(r"^who\s+(\w+)\s+(.+)$", re.I), _who),
    (re.compile(r"^(?:when|what year)\s+(was|were|did|is|does|do|will)\s+(.+)$", re.I), _when),
    (re.compile(r"^where\s+(is|are|was|were|did|does|do|can)\s+(.+)$", re.I), _where),
    (re.compile(r"^how\s+(many|much|long|old|far|often)\s+(.+)$", re.I), _how_many),
    (re.compile(r"^why\b.+$", re.I), _why),
    (re.compile(r"^what(?:'s| (is|are|was|were))\s+(.+)$", re.I), lambda m, v: _definition(_What(m), v)),
    (re.compile(rf"^({_AUX})\s+(.+)$", re.I), _yes_no),
]


class _What:
    """A "what's X" match read as "what is X"."""

    def __init__(self, match: re.Match[str]) -> None:
        self._groups = (match.group(0), match.group(1) or "is", match.group(2))

    def group(self, index: int) -> str:
        return self._groups[index]

"""Answers in the form a request asks for: haiku, poems of N lines, lists of N items, names, invented
things, jokes, short pieces, code, translations and labels."""

from __future__ import annotations

import re

from emulator.model import wording
from emulator.model.answers import FIRST_NAMES, LAST_NAMES
from emulator.model.variation import Variation, stable

_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 0
    count = len(_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def _line_syllables(line: str) -> int:
    return sum(syllables(w) for w in line.split())


# Haiku lines by syllable count, before the topic's own syllables are added: "{t}" is the topic.
_FIVE = (
    "{t} at first light",
    "soft {t} returning",
    "the hush of {t}",
    "{t} in the dusk",
    "{t} before dawn",
    "still {t} again",
)
_SEVEN = (
    "a slow breath across the field",
    "the window holds a grey sky",
    "every path shines for a while",
    "small birds wait under the eaves",
    "the town hums and then goes still",
    "a lantern sways by the door",
)
_FIVE_END = (
    "and then it is gone",
    "the world starts again",
    "nothing else to say",
    "morning keeps its word",
    "the kettle sings on",
    "we listen and wait",
)


def _fit(template: str, topic: str, target: int) -> str:
    line = template.format(t=topic)
    words = line.split()
    # Trim filler words until the line is near its count; a topic longer than the line stays whole.
    while _line_syllables(" ".join(words)) > target and len(words) > len(topic.split()) + 1:
        for filler in ("soft", "still", "the", "slow", "small", "every", "and"):
            if filler in words[:-1]:
                words.remove(filler)
                break
        else:
            break
    return " ".join(words)


def haiku(topic: str, vary: Variation) -> str:
    subject = topic or "rain"
    # The opening lines nearest five syllables with this topic, one of the best three by the choice.
    fitted = sorted((_fit(t, subject, 5) for t in _FIVE), key=lambda line: abs(_line_syllables(line) - 5))
    first = vary.first(fitted[:3])
    return "\n".join([wording.capitalised(first), vary.second(_SEVEN), vary.pick(_FIVE_END)])


_POEM_LINES = (
    "{T} comes softly through the day,",
    "and every hour finds its way;",
    "a quiet light on what we know,",
    "the {t} stays when others go.",
    "We watch the {t} and slowly learn",
    "that every road will bend and turn;",
    "the evening gathers what we keep,",
    "and {t} hums us off to sleep.",
    "Beyond the hills the {t} remains,",
    "through summer sun and winter rains;",
    "a steady voice, a patient friend,",
    "that carries us from start to end.",
)


def poem(topic: str, lines: int, vary: Variation) -> str:
    subject = topic or "the sea"
    bare = re.sub(r"^(the|a|an)\s+", "", subject, flags=re.I)
    start = vary.first(range(0, len(_POEM_LINES), 2)) if lines > 2 else vary.first(range(len(_POEM_LINES)))
    out = []
    for index in range(lines):
        template = _POEM_LINES[(start + index) % len(_POEM_LINES)]
        line = template.replace("{T}", wording.capitalised(subject)).replace("{t}", bare)
        out.append(line)
    if out:
        out[0] = wording.capitalised(out[0])
        out[-1] = out[-1].rstrip(",;") + ("." if not out[-1].endswith(".") else "")
    return "\n".join(out)


# Items for lists of things of a known kind.
_CATEGORIES = {
    "fruit": "Apples Bananas Mangoes Oranges Strawberries Blueberries Pineapples Pears Cherries Kiwis Grapes Peaches",
    "vegetable": "Carrots Broccoli Spinach Peppers Courgettes Kale Onions Cauliflower Beetroot Leeks Peas Tomatoes",
    "color": "Red Blue Green Yellow Purple Orange Teal Magenta Indigo Amber Crimson Turquoise",
    "colour": "Red Blue Green Yellow Purple Orange Teal Magenta Indigo Amber Crimson Turquoise",
    "animal": "Elephants Dolphins Owls Foxes Penguins Tigers Octopuses Wolves Giraffes Otters Hedgehogs Koalas",
    "planet": "Mercury Venus Earth Mars Jupiter Saturn Uranus Neptune",
    "language": "Python JavaScript Rust Go Java TypeScript Kotlin Swift C# Ruby Haskell Elixir",
    "country": "Japan Brazil Canada Kenya Norway Portugal Vietnam Chile Morocco Iceland Austria Peru",
    "city": "Lisbon Tokyo Montreal Cape Town Vienna Buenos Aires Kyoto Copenhagen Seoul Edinburgh",
    "sport": "Football Tennis Basketball Swimming Cycling Rowing Volleyball Climbing Badminton Hockey",
    "instrument": "Piano Violin Guitar Cello Flute Trumpet Drums Clarinet Harp Saxophone",
    "book": "Pride and Prejudice|1984|Moby-Dick|To Kill a Mockingbird|The Hobbit|Jane Eyre|Beloved|Dracula",
}
_MULTIWORD = {"city", "book"}

# Items for lists of advice, ideas or reasons: "{t}" is the topic.
_ADVICE = (
    "Keep a consistent routine for {t}, even on weekends.",
    "Start small: change one habit at a time and give it two weeks.",
    "Track your progress with {t} in a simple notebook or app.",
    "Cut distractions before you begin, especially your phone.",
    "Ask someone experienced in {t} for feedback early.",
    "Set a clear, specific goal you can check each week.",
    "Schedule time for {t} the way you would schedule a meeting.",
    "Review what worked at the end of each week and drop what didn't.",
    "Keep the tools you need for {t} within easy reach.",
    "Rest properly: progress with {t} comes from steady effort, not bursts.",
)
_SLEEP = (
    "Go to bed and wake up at the same time every day.",
    "Keep your bedroom cool, dark and quiet.",
    "Avoid caffeine after midday.",
    "Put screens away an hour before bed.",
    "Get daylight in the morning and move your body during the day.",
    "Keep naps short, under 30 minutes.",
    "Wind down with a calm routine, such as reading or a warm shower.",
    "Avoid heavy meals and alcohol late in the evening.",
)
_IDEAS = (
    "A themed evening around {t}",
    "A beginner's workshop on {t}",
    "A small community project built around {t}",
    "A weekly challenge with {t} and a shared scoreboard",
    "A guided walk or visit connected to {t}",
    "A short newsletter sharing one tip about {t}",
    "A swap meet for people interested in {t}",
    "A photo diary documenting {t} for a month",
)
_REASONS = (
    "It saves time in the long run.",
    "It lowers costs once the habit is in place.",
    "It makes results easier to predict.",
    "It is easy to start and easy to share with others.",
    "It reduces stress by removing last-minute decisions.",
    "It builds skills that carry over to other areas.",
    "It tends to improve quality over time.",
    "It keeps everyone working from the same information.",
)


def numbered(items: list[str], vary: Variation) -> str:
    style = vary.second(["number", "dash", "number"])
    return "\n".join(f"{n}. {item}" if style == "number" else f"- {item}" for n, item in enumerate(items, 1))


_COUNTED_NOUN = re.compile(
    r"\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a few|some)\s+(?:[\w-]+\s+){0,2}?([a-z]+)s\b",
    re.I,
)


def items_for(request: str, count: int, vary: Variation) -> list[str]:
    lowered = request.lower()
    topic = wording.topic(request) or "it"
    counted = _COUNTED_NOUN.search(request)
    # A list of things of a known kind when the counted noun names the kind ("five fruits", not "six
    # reasons to learn a language").
    noun = counted.group(1).lower() if counted else lowered
    for key, names in _CATEGORIES.items():
        if re.search(rf"\b{key}(e?s)?\b", noun):
            pool = names.split("|") if "|" in names else _split_names(names, key)
            return _rotate(pool, count, vary)
    if "sleep" in lowered:
        pool = list(_SLEEP)
    elif re.search(r"\b(reasons?|benefits?|advantages?|why)\b", lowered):
        pool = [
            r.replace("It ", f"{wording.capitalised(topic)} ", 1) if topic != "it" else r for r in _REASONS
        ]
    elif re.search(r"\b(ideas?|activities|suggestions|things to do|projects?)\b", lowered):
        pool = [i.format(t=topic) for i in _IDEAS]
    elif re.search(r"\bnames?\b", lowered):
        return [invented_name(request, vary, offset) for offset in range(count)]
    else:
        pool = [i.format(t=topic) for i in _ADVICE]
    return _rotate(pool, count, vary)


def _split_names(names: str, key: str) -> list[str]:
    if key not in _MULTIWORD:
        return names.split()
    # multi-word city names are written with spaces; rejoin the known pairs
    out: list[str] = []
    for word in names.split():
        if out and out[-1] in ("Cape", "Buenos"):
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def _rotate(pool: list[str], count: int, vary: Variation) -> list[str]:
    start = vary.first(range(len(pool)))
    picked = [pool[(start + i) % len(pool)] for i in range(min(count, len(pool)))]
    extra = 1
    while len(picked) < count:
        picked.append(f"{pool[(start + len(picked)) % len(pool)].rstrip('.')} (variation {extra}).")
        extra += 1
    return picked


def list_answer(request: str, count: int, vary: Variation) -> str:
    items = items_for(request, count, vary)
    noun = re.search(
        r"\b(tips|ideas|ways|reasons|examples|things|steps|facts|benefits|names|suggestions|"
        r"fruits|vegetables|colou?rs|animals|planets|languages|countries|cities|sports|books)\b",
        request,
        re.I,
    )
    what = f"{count} {noun.group(1).lower()}" if noun else str(count)
    opener = vary.second([f"Here are {what}:", "", "Sure:", f"{what[:1].upper() + what[1:]} to consider:"])
    body = numbered(items, vary)
    return f"{opener}\n\n{body}" if opener else body


_NAME_PARTS = {
    "coffee": (
        ["Daily", "Copper", "Morning", "Roasted", "Little", "Velvet", "Northern", "Slow"],
        ["Grind", "Bean", "Brew", "Cup", "Roast", "Mug", "Crema", "Drip"],
    ),
    "bakery": (
        ["Golden", "Rising", "Warm", "Crumb &", "Flour", "Honey"],
        ["Loaf", "Oven", "Crust", "Bakehouse", "Rye"],
    ),
    "book": (
        ["Dog-Eared", "Paper", "Quiet", "Open", "Inkwell", "Marginalia"],
        ["Pages", "Shelf", "Chapter", "Books", "Nook"],
    ),
    "cat": (
        ["Captain", "Miss", "Sir", "Little", "Professor"],
        ["Whiskers", "Pepper", "Biscuit", "Mochi", "Juniper", "Clementine"],
    ),
    "dog": (
        ["Captain", "Sir", "Lady", "Big", "Little"],
        ["Biscuit", "Maple", "Scout", "Bruno", "Pickles", "Hazel"],
    ),
    "band": (
        ["The Velvet", "Electric", "Paper", "Midnight", "Glass"],
        ["Foxes", "Lanterns", "Echoes", "Orchard", "Satellites"],
    ),
    "startup": (
        ["Bright", "Clear", "Nimbus", "Tandem", "Vector", "Kite"],
        ["Labs", "Works", "Loop", "Stack", "Path", "ly"],
    ),
    "restaurant": (
        ["The Olive", "Saffron", "Copper", "Fig &", "Harbour"],
        ["Table", "Kitchen", "Pot", "Thyme", "Ember"],
    ),
    "boat": (["Sea", "Salt", "Wind", "Blue", "Tide"], ["Dancer", "Whisper", "Runner", "Song", "Spirit"]),
}
_GENERIC_PARTS = (
    ["Bright", "North", "Silver", "Little", "Blue", "Evergreen", "Copper", "Open"],
    ["Harbor", "Field", "Lantern", "Studio", "Works", "House", "Corner", "Path"],
)


def invented_name(request: str, vary: Variation, offset: int = 0) -> str:
    lowered = request.lower()
    firsts, seconds = next(
        (parts for key, parts in _NAME_PARTS.items() if re.search(rf"\b{key}", lowered)), _GENERIC_PARTS
    )
    index = vary.lead + offset
    first = firsts[index % len(firsts)]
    second = seconds[(index // len(firsts) + vary.rng.randrange(len(seconds)) + offset) % len(seconds)]
    joiner = "" if second in ("ly",) else " "
    return f"{first}{joiner}{second}"


def name_answer(request: str, vary: Variation) -> str:
    name = invented_name(request, vary)
    target = wording.topic(request) or "it"
    return vary.second(
        [
            f'How about "{name}"? It is short, easy to remember and fits {target}.',
            f'"{name}" — warm, simple and easy to say.',
            f'I\'d suggest "{name}".',
        ]
    )


_GENERA = [
    "Aurelia",
    "Coleomyx",
    "Lucidora",
    "Ferrocarpus",
    "Velutina",
    "Scarabella",
    "Noctiluca",
    "Thalassia",
]
_EPITHETS = ["umbrosa", "montana", "splendens", "minuta", "viridis", "nocturna", "aurata", "silvestris"]
_COMMON = ["velvet", "copper", "lantern", "moss", "ember", "glass", "thunder", "starlit"]
_BODIES = {
    "bird": ("feathers", "the canopy of misty cloud forests"),
    "fish": ("scales", "the clear, cold streams of mountain valleys"),
    "frog": ("spots", "the mossy banks of forest pools"),
    "butterfly": ("wings", "sunny clearings in upland meadows"),
    "mammal": ("fur", "the rocky slopes of high valleys"),
    "plant": ("leaves", "shaded ravines with damp soil"),
    "flower": ("petals", "alpine meadows above the tree line"),
    "tree": ("leaves", "the edges of temperate rainforests"),
}
_LARGE = frozenset({"bird", "fish", "mammal", "plant", "tree", "flower"})
_KINDS = re.compile(
    r"\b(beetle|insect|bird|fish|frog|butterfly|spider|plant|flower|mammal|creature|animal|species|tree)\b",
    re.I,
)


def invention(request: str, vary: Variation, sentences: int = 2) -> str:
    kinds = [k.lower() for k in _KINDS.findall(request) if k.lower() not in ("species", "creature")]
    kind = kinds[0] if kinds else "creature"
    covering, home = _BODIES.get(kind, ("shell", "the leaf litter of humid mountain forests"))
    genus = vary.first(_GENERA)
    epithet = vary.pick(_EPITHETS)
    common = vary.pick(_COMMON)
    lines = [
        f"*{genus} {epithet}*, the {common} {kind}, lives in {home}.",
        f"It is about {vary.rng.randint(4, 30)} {'centimetres' if kind in _LARGE else 'millimetres'} long, "
        f"with {common}-coloured {covering} that catch the light at dusk.",
        "It feeds on fallen fruit and is most active after rain.",
        "Locals say its soft clicking can be heard on still nights.",
    ]
    return " ".join(lines[: max(1, min(sentences, len(lines)))])


_JOKES = (
    "Why did the {one} bring a ladder? Because it wanted to reach the next level.",
    "I tried to tell a joke about {t}, but it needed more time to warm up.",
    "What do you call a {one} that tells jokes? A pun-dit.",
    "My {one} and I have an understanding: it does the work, I take the credit.",
)


def joke(request: str, vary: Variation) -> str:
    topic = wording.bare_topic(request, "computers")
    one = topic[:-1] if topic.endswith("s") and not topic.endswith("ss") and len(topic) > 3 else topic
    return vary.first(_JOKES).format(t=topic, one=one)


def piece(kind: str, request: str, vary: Variation, sentences: int | None = None) -> str:
    """A short story, email, letter, paragraph or post about the request's topic."""
    topic = wording.topic(request, "the project")
    shown = wording.capitalised(topic)
    if kind in ("email", "letter"):
        greeting = vary.first(["Hi,", "Hello,", "Dear team,", "Good morning,"])
        body = vary.pick(
            [
                f"I wanted to follow up about {topic}. Could we find time this week to go through the next steps?",
                f"A quick note about {topic}: everything is on track, and I will share an update on Friday.",
            ]
        )
        sign = vary.pick(["Best regards,", "Thanks,", "Kind regards,"])
        return f"{greeting}\n\n{body}\n\n{sign}\n{FIRST_NAMES[vary.lead % len(FIRST_NAMES)]}"
    hero = f"{vary.pick(FIRST_NAMES)} {vary.pick(LAST_NAMES)}"
    if kind == "story":
        lines = [
            vary.first(
                [
                    f"{hero} had never thought much about {topic} until the morning everything changed.",
                    f"Nobody in the village knew more about {topic} than {hero}.",
                    f"The first time {hero} saw {topic}, it was raining.",
                ]
            ),
            "At first it seemed like an ordinary day, but a small detail kept pulling at their attention.",
            "By evening, the small detail had become a question, and the question had become a plan.",
            f"When the plan finally worked, {hero.split()[0]} laughed out loud and went home to tell everyone.",
        ]
    else:
        lines = [
            vary.first(
                [
                    f"{shown} rewards a closer look.",
                    f"{shown} is easy to overlook, and worth noticing.",
                    f"There is more to {topic} than it first seems.",
                ]
            ),
            "Its details connect in ways that only show up when you slow down.",
            "Small choices add up, and each part shapes the whole.",
            f"That is what makes {topic} worth the effort.",
        ]
    count = sentences or len(lines)
    return " ".join(lines[: max(1, min(count, len(lines)))])


_LANGUAGES = {
    "python": "python",
    "javascript": "javascript",
    "typescript": "typescript",
    "js": "javascript",
    "sql": "sql",
    "bash": "bash",
    "shell": "bash",
    "go": "go",
    "golang": "go",
    "rust": "rust",
    "java": "java",
}


def code(request: str, vary: Variation) -> str:
    lowered = request.lower()
    language = next(
        (v for k, v in _LANGUAGES.items() if re.search(rf"\b{re.escape(k)}\b", lowered)), "python"
    )
    task = _task(lowered)
    name, body_py, body_js = _TASKS.get(task, _TASKS["generic"])
    if task == "generic":
        words = [w for w in re.findall(r"[a-z]+", wording.topic(request, "process data").lower())][:3]
        name = "_".join(words) or name
    if language in ("javascript", "typescript"):
        camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
        snippet = f"```{language}\nfunction {camel}(value) {{\n{body_js}\n}}\n```"
    elif language == "sql":
        snippet = "```sql\nSELECT id, name, created_at\nFROM items\nWHERE created_at >= DATE '2024-01-01'\nORDER BY created_at DESC;\n```"
    elif language == "bash":
        snippet = '```bash\n#!/usr/bin/env bash\nset -euo pipefail\nfor file in "$@"; do\n  echo "Processing $file"\ndone\n```'
    else:
        snippet = f"```python\ndef {name}(value):\n{body_py}\n```"
    shown = {"javascript": "JavaScript", "typescript": "TypeScript", "sql": "SQL"}.get(
        language, language.capitalize()
    )
    intro = vary.first(
        [
            f"Here is a simple implementation in {shown}:",
            f"Sure — here's one way to do it in {shown}:",
            f"This {shown} version does the job:",
            f"A straightforward {shown} version:",
        ]
    )
    outro = vary.pick(
        [
            "",
            "\n\nIt runs in linear time and has no dependencies.",
            "\n\nAdd tests for the edge cases, such as empty input.",
        ]
    )
    return f"{intro}\n\n{snippet}{outro}"


def _task(lowered: str) -> str:
    for task in ("reverse", "factorial", "fibonacci", "prime", "palindrome", "sum", "sort", "max", "hello"):
        if task in lowered:
            return task
    return "generic"


_TASKS = {
    "reverse": ("reverse_string", "    return value[::-1]", "  return [...value].reverse().join('');"),
    "factorial": (
        "factorial",
        "    result = 1\n    for n in range(2, value + 1):\n        result *= n\n    return result",
        "  let result = 1;\n  for (let n = 2; n <= value; n++) result *= n;\n  return result;",
    ),
    "fibonacci": (
        "fibonacci",
        "    a, b = 0, 1\n    for _ in range(value):\n        a, b = b, a + b\n    return a",
        "  let [a, b] = [0, 1];\n  for (let i = 0; i < value; i++) [a, b] = [b, a + b];\n  return a;",
    ),
    "prime": (
        "is_prime",
        "    if value < 2:\n        return False\n    n = 2\n    while n * n <= value:\n        if value % n == 0:\n"
        "            return False\n        n += 1\n    return True",
        "  if (value < 2) return false;\n  for (let n = 2; n * n <= value; n++) if (value % n === 0) return false;\n"
        "  return true;",
    ),
    "palindrome": (
        "is_palindrome",
        "    cleaned = ''.join(c.lower() for c in value if c.isalnum())\n    return cleaned == cleaned[::-1]",
        "  const cleaned = value.toLowerCase().replace(/[^a-z0-9]/g, '');\n"
        "  return cleaned === [...cleaned].reverse().join('');",
    ),
    "sum": ("total", "    return sum(value)", "  return value.reduce((a, b) => a + b, 0);"),
    "sort": ("sorted_items", "    return sorted(value)", "  return [...value].sort((a, b) => a - b);"),
    "max": ("largest", "    return max(value)", "  return Math.max(...value);"),
    "hello": ("greet", '    return f"Hello, {value}!"', "  return `Hello, ${value}!`;"),
    "generic": (
        "process",
        "    result = []\n    for item in value:\n        result.append(item)\n    return result",
        "  return value.map((item) => item);",
    ),
}


_PHRASES = {
    "hello": {
        "french": "Bonjour",
        "spanish": "Hola",
        "german": "Hallo",
        "italian": "Ciao",
        "portuguese": "Olá",
        "japanese": "こんにちは (Konnichiwa)",
    },
    "good morning": {
        "french": "Bonjour",
        "spanish": "Buenos días",
        "german": "Guten Morgen",
        "italian": "Buongiorno",
        "portuguese": "Bom dia",
        "japanese": "おはようございます (Ohayō gozaimasu)",
    },
    "good night": {
        "french": "Bonne nuit",
        "spanish": "Buenas noches",
        "german": "Gute Nacht",
        "italian": "Buona notte",
        "portuguese": "Boa noite",
        "japanese": "おやすみなさい (Oyasuminasai)",
    },
    "thank you": {
        "french": "Merci",
        "spanish": "Gracias",
        "german": "Danke",
        "italian": "Grazie",
        "portuguese": "Obrigado",
        "japanese": "ありがとう (Arigatō)",
    },
    "goodbye": {
        "french": "Au revoir",
        "spanish": "Adiós",
        "german": "Auf Wiedersehen",
        "italian": "Arrivederci",
        "portuguese": "Adeus",
        "japanese": "さようなら (Sayōnara)",
    },
    "how are you": {
        "french": "Comment allez-vous ?",
        "spanish": "¿Cómo estás?",
        "german": "Wie geht es dir?",
        "italian": "Come stai?",
        "portuguese": "Como você está?",
        "japanese": "お元気ですか (Ogenki desu ka)",
    },
    "please": {
        "french": "S'il vous plaît",
        "spanish": "Por favor",
        "german": "Bitte",
        "italian": "Per favore",
        "portuguese": "Por favor",
        "japanese": "お願いします (Onegaishimasu)",
    },
    "i love you": {
        "french": "Je t'aime",
        "spanish": "Te quiero",
        "german": "Ich liebe dich",
        "italian": "Ti amo",
        "portuguese": "Eu te amo",
        "japanese": "愛してる (Aishiteru)",
    },
    "where is the train station": {
        "french": "Où est la gare ?",
        "spanish": "¿Dónde está la estación de tren?",
        "german": "Wo ist der Bahnhof?",
        "italian": "Dov'è la stazione?",
        "portuguese": "Onde fica a estação de trem?",
        "japanese": "駅はどこですか (Eki wa doko desu ka)",
    },
    "cheers": {
        "french": "Santé",
        "spanish": "Salud",
        "german": "Prost",
        "italian": "Salute",
        "portuguese": "Saúde",
        "japanese": "乾杯 (Kanpai)",
    },
    "welcome": {
        "french": "Bienvenue",
        "spanish": "Bienvenido",
        "german": "Willkommen",
        "italian": "Benvenuto",
        "portuguese": "Bem-vindo",
        "japanese": "ようこそ (Yōkoso)",
    },
}
_WORDS = {
    "french": {
        "the": "le",
        "cat": "chat",
        "dog": "chien",
        "house": "maison",
        "is": "est",
        "red": "rouge",
        "big": "grand",
        "water": "eau",
        "book": "livre",
        "i": "je",
        "like": "aime",
        "coffee": "café",
        "and": "et",
    },
    "spanish": {
        "the": "el",
        "cat": "gato",
        "dog": "perro",
        "house": "casa",
        "is": "es",
        "red": "rojo",
        "big": "grande",
        "water": "agua",
        "book": "libro",
        "i": "yo",
        "like": "gusta",
        "coffee": "café",
        "and": "y",
    },
    "german": {
        "the": "die",
        "cat": "Katze",
        "dog": "Hund",
        "house": "Haus",
        "is": "ist",
        "red": "rot",
        "big": "groß",
        "water": "Wasser",
        "book": "Buch",
        "i": "ich",
        "like": "mag",
        "coffee": "Kaffee",
        "and": "und",
    },
}
_TRANSLATE_TEXT = re.compile(
    r"[\"“'‘](.+?)[\"”'’]|:\s*(.+?)\s*$|translate\s+(.+?)\s+(?:in)?to\b", re.I | re.S
)


def translation(request: str, vary: Variation) -> str:
    lowered = request.lower()
    language = next(
        (
            lang
            for lang in ("french", "spanish", "german", "italian", "portuguese", "japanese")
            if lang in lowered
        ),
        "french",
    )
    match = _TRANSLATE_TEXT.search(request)
    phrase = next((g for g in match.groups() if g), "") if match else ""
    phrase = phrase.strip().strip("\"'“”").rstrip(".!?") or "hello"
    known = _PHRASES.get(phrase.lower().rstrip("?!. "), {}).get(language)
    if known is None:
        words = _WORDS.get(language, {})
        known = " ".join(words.get(w.lower(), w) for w in phrase.split())
        known = wording.capitalised(known)
    shown = language.capitalize()
    return vary.first(
        [
            f'In {shown}, "{phrase}" is "{known}".',
            f'"{known}" — that\'s "{phrase}" in {shown}.',
            f"{known}",
            f'The {shown} for "{phrase}" is "{known}".',
        ]
    )


_POSITIVE = frozenset(
    "love loved great excellent amazing wonderful good fantastic happy best perfect enjoyed recommend delightful pleased fast friendly".split()
)
_NEGATIVE = frozenset(
    "hate hated terrible awful bad worst poor broken disappointed disappointing slow rude refund never angry useless late".split()
)
_SPAM = re.compile(
    r"\b(win|winner|prize|free|click here|urgent|lottery|claim|offer|\$\$\$|viagra|crypto)\b", re.I
)


def classify(request: str, vary: Variation) -> str:
    lowered = request.lower()
    words = set(re.findall(r"[a-z']+", lowered))
    offered = re.search(
        r"\b(?:as|into|categories?:?|labels?:?)\s+((?:[\w-]+(?:,\s*|\s+or\s+|\s*/\s*)){1,6}[\w-]+)",
        request,
        re.I,
    )
    if "spam" in lowered:
        body = request.split(":", 1)[-1]
        label = "Spam" if len(_SPAM.findall(body)) >= 1 else "Not spam"
        reason = (
            "it pushes an urgent prize or offer" if label == "Spam" else "it reads like an ordinary message"
        )
    elif offered and "sentiment" not in lowered:
        options = [o.strip() for o in re.split(r",|\bor\b|/", offered.group(1)) if o.strip()]
        label = wording.capitalised(stable(request).choice(options))
        reason = "it matches that category best"
    else:
        score = len(words & _POSITIVE) - len(words & _NEGATIVE)
        label = "Positive" if score > 0 else "Negative" if score < 0 else "Neutral"
        reason = {
            "Positive": "the wording is enthusiastic and approving",
            "Negative": "the wording expresses frustration or disappointment",
            "Neutral": "it states facts without strong feeling",
        }[label]
    return vary.first(
        [
            f"{label}.",
            f"{label} — {reason}.",
            f"Label: {label}",
            f"I'd classify this as {label.lower() if label not in ('Spam',) else label}: {reason}.",
        ]
    )

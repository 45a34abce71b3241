"""A small table of well-known facts, so the commonest factual questions get the right answer.

`lookup` returns the ways a model might state the answer (at least three); None when the table does not
know, and the writer invents a plausible answer instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CAPITALS = {
    "afghanistan": "Kabul",
    "argentina": "Buenos Aires",
    "australia": "Canberra",
    "austria": "Vienna",
    "belgium": "Brussels",
    "brazil": "Brasília",
    "canada": "Ottawa",
    "chile": "Santiago",
    "china": "Beijing",
    "colombia": "Bogotá",
    "denmark": "Copenhagen",
    "egypt": "Cairo",
    "england": "London",
    "finland": "Helsinki",
    "france": "Paris",
    "germany": "Berlin",
    "greece": "Athens",
    "hungary": "Budapest",
    "iceland": "Reykjavík",
    "india": "New Delhi",
    "indonesia": "Jakarta",
    "ireland": "Dublin",
    "italy": "Rome",
    "japan": "Tokyo",
    "kenya": "Nairobi",
    "mexico": "Mexico City",
    "morocco": "Rabat",
    "netherlands": "Amsterdam",
    "the netherlands": "Amsterdam",
    "new zealand": "Wellington",
    "nigeria": "Abuja",
    "norway": "Oslo",
    "peru": "Lima",
    "poland": "Warsaw",
    "portugal": "Lisbon",
    "russia": "Moscow",
    "scotland": "Edinburgh",
    "south africa": "Pretoria",
    "south korea": "Seoul",
    "spain": "Madrid",
    "sweden": "Stockholm",
    "switzerland": "Bern",
    "thailand": "Bangkok",
    "turkey": "Ankara",
    "ukraine": "Kyiv",
    "united kingdom": "London",
    "the united kingdom": "London",
    "uk": "London",
    "the uk": "London",
    "united states": "Washington, D.C.",
    "the united states": "Washington, D.C.",
    "usa": "Washington, D.C.",
    "the usa": "Washington, D.C.",
    "vietnam": "Hanoi",
}

AUTHORS = {
    "pride and prejudice": "Jane Austen",
    "emma": "Jane Austen",
    "sense and sensibility": "Jane Austen",
    "1984": "George Orwell",
    "animal farm": "George Orwell",
    "hamlet": "William Shakespeare",
    "macbeth": "William Shakespeare",
    "romeo and juliet": "William Shakespeare",
    "moby dick": "Herman Melville",
    "moby-dick": "Herman Melville",
    "war and peace": "Leo Tolstoy",
    "anna karenina": "Leo Tolstoy",
    "the great gatsby": "F. Scott Fitzgerald",
    "to kill a mockingbird": "Harper Lee",
    "don quixote": "Miguel de Cervantes",
    "the odyssey": "Homer",
    "the iliad": "Homer",
    "frankenstein": "Mary Shelley",
    "dracula": "Bram Stoker",
    "on the origin of species": "Charles Darwin",
    "the origin of species": "Charles Darwin",
    "harry potter": "J.K. Rowling",
    "the hobbit": "J.R.R. Tolkien",
    "the lord of the rings": "J.R.R. Tolkien",
    "crime and punishment": "Fyodor Dostoevsky",
    "the brothers karamazov": "Fyodor Dostoevsky",
    "jane eyre": "Charlotte Brontë",
    "wuthering heights": "Emily Brontë",
    "the catcher in the rye": "J.D. Salinger",
    "brave new world": "Aldous Huxley",
    "one hundred years of solitude": "Gabriel García Márquez",
    "the divine comedy": "Dante Alighieri",
    "les misérables": "Victor Hugo",
    "les miserables": "Victor Hugo",
    "great expectations": "Charles Dickens",
    "a tale of two cities": "Charles Dickens",
    "oliver twist": "Charles Dickens",
    "a christmas carol": "Charles Dickens",
    "the old man and the sea": "Ernest Hemingway",
    "ulysses": "James Joyce",
    "the little prince": "Antoine de Saint-Exupéry",
    "the art of war": "Sun Tzu",
    "the raven": "Edgar Allan Poe",
    "the metamorphosis": "Franz Kafka",
    "fahrenheit 451": "Ray Bradbury",
    "the road": "Cormac McCarthy",
    "beloved": "Toni Morrison",
}

PAINTERS = {
    "the mona lisa": "Leonardo da Vinci",
    "mona lisa": "Leonardo da Vinci",
    "the last supper": "Leonardo da Vinci",
    "the starry night": "Vincent van Gogh",
    "starry night": "Vincent van Gogh",
    "sunflowers": "Vincent van Gogh",
    "guernica": "Pablo Picasso",
    "the scream": "Edvard Munch",
    "girl with a pearl earring": "Johannes Vermeer",
    "the birth of venus": "Sandro Botticelli",
    "the persistence of memory": "Salvador Dalí",
    "the night watch": "Rembrandt",
    "the sistine chapel ceiling": "Michelangelo",
    "water lilies": "Claude Monet",
    "the kiss": "Gustav Klimt",
}

MAKERS = {
    "telephone": ("Alexander Graham Bell", "invented", "1876"),
    "the telephone": ("Alexander Graham Bell", "invented", "1876"),
    "light bulb": ("Thomas Edison", "invented", "1879"),
    "the light bulb": ("Thomas Edison", "invented", "1879"),
    "world wide web": ("Tim Berners-Lee", "invented", "1989"),
    "the world wide web": ("Tim Berners-Lee", "invented", "1989"),
    "printing press": ("Johannes Gutenberg", "invented", "around 1440"),
    "the printing press": ("Johannes Gutenberg", "invented", "around 1440"),
    "airplane": ("the Wright brothers", "invented", "1903"),
    "the airplane": ("the Wright brothers", "invented", "1903"),
    "penicillin": ("Alexander Fleming", "discovered", "1928"),
    "gravity": ("Isaac Newton", "described", "1687"),
    "the theory of relativity": ("Albert Einstein", "developed", "1905"),
    "relativity": ("Albert Einstein", "developed", "1905"),
    "radio": ("Guglielmo Marconi", "invented", "the 1890s"),
    "the radio": ("Guglielmo Marconi", "invented", "the 1890s"),
    "dynamite": ("Alfred Nobel", "invented", "1867"),
    "the steam engine": ("James Watt", "improved", "1776"),
    "radium": ("Marie and Pierre Curie", "discovered", "1898"),
    "dna": ("James Watson and Francis Crick", "described the structure of", "1953"),
    "the structure of dna": ("James Watson and Francis Crick", "discovered", "1953"),
    "python": ("Guido van Rossum", "created", "1991"),
    "linux": ("Linus Torvalds", "created", "1991"),
    "the periodic table": ("Dmitri Mendeleev", "created", "1869"),
    "the zipper": ("Whitcomb Judson", "invented", "1893"),
    "zipper": ("Whitcomb Judson", "invented", "1893"),
    "the telescope": ("Hans Lippershey", "invented", "1608"),
    "the internet": ("Vint Cerf and Bob Kahn", "designed the protocols of", "1974"),
    "the computer": ("Charles Babbage", "designed", "the 1830s"),
    "electricity": ("Benjamin Franklin", "studied", "the 1750s"),
    "the television": ("John Logie Baird", "demonstrated", "1926"),
    "television": ("John Logie Baird", "demonstrated", "1926"),
}

# What common terms mean: the core of a definition, completed as "X is <definition>."
DEFINITIONS = {
    "photosynthesis": "the process by which plants, algae and some bacteria use sunlight, water and carbon "
    "dioxide to make sugar, releasing oxygen",
    "gravity": "the force by which masses attract one another; it keeps planets in orbit and gives objects weight",
    "dna": "the molecule that carries the genetic instructions of living things, shaped as a double helix",
    "machine learning": "a branch of artificial intelligence in which programs learn patterns from data instead "
    "of following hand-written rules",
    "artificial intelligence": "the field of building computer systems that perform tasks normally needing human "
    "intelligence, such as understanding language or recognising images",
    "blockchain": "a shared ledger made of linked blocks of records, copied across many computers so no single "
    "party can quietly change it",
    "inflation": "the rate at which prices rise over time, reducing what a unit of money can buy",
    "democracy": "a system of government in which citizens choose their leaders and laws through free elections",
    "a black hole": "a region of space where gravity is so strong that nothing, not even light, can escape",
    "black hole": "a region of space where gravity is so strong that nothing, not even light, can escape",
    "an api": "a defined way for one program to request data or actions from another",
    "api": "a defined way for one program to request data or actions from another",
    "climate change": "the long-term shift in global temperatures and weather patterns, driven mainly by "
    "greenhouse gases from burning fossil fuels",
    "evolution": "the change in the inherited traits of populations over generations, driven largely by "
    "natural selection",
    "osmosis": "the movement of water through a semi-permeable membrane from a weaker solution to a stronger one",
    "an atom": "the smallest unit of a chemical element, made of a nucleus of protons and neutrons surrounded "
    "by electrons",
    "atom": "the smallest unit of a chemical element, made of a nucleus of protons and neutrons surrounded "
    "by electrons",
    "recursion": "a technique in which a function solves a problem by calling itself on smaller parts of it",
    "the internet": "a global network of computer networks that exchange data using shared protocols",
    "cloud computing": "renting computing power, storage and software over the internet instead of running "
    "your own servers",
    "a neural network": "a model made of layers of connected units whose weights are adjusted from data so it "
    "can recognise patterns",
    "neural network": "a model made of layers of connected units whose weights are adjusted from data so it "
    "can recognise patterns",
    "quantum computing": "computing that uses qubits, which can hold combinations of states, to solve certain "
    "problems much faster than ordinary computers",
    "the james webb space telescope": "an infrared space observatory launched in 2021 that studies the earliest "
    "galaxies, star formation and the atmospheres of exoplanets",
    "entropy": "a measure of disorder in a system; in an isolated system it never decreases",
    "a prime number": "a whole number greater than 1 whose only divisors are 1 and itself",
    "prime number": "a whole number greater than 1 whose only divisors are 1 and itself",
}

# Where well-known places are, and when they were built or made.
LANDMARKS = {
    "machu picchu": ("the Andes of southern Peru, above the Urubamba valley", "the 15th century"),
    "eiffel tower": ("Paris, France", "1889"),
    "taj mahal": ("Agra, India", "1653"),
    "great wall": ("northern China", "the 7th century BC onwards"),
    "statue of liberty": ("New York Harbor", "1886"),
    "colosseum": ("Rome, Italy", "AD 80"),
    "big ben": ("London, England", "1859"),
    "sydney opera house": ("Sydney, Australia", "1973"),
    "stonehenge": ("Wiltshire, England", "around 2500 BC"),
    "petra": ("southern Jordan", "around the 4th century BC"),
    "angkor wat": ("Siem Reap, Cambodia", "the 12th century"),
    "golden gate bridge": ("San Francisco, California", "1937"),
    "empire state building": ("New York City", "1931"),
    "parthenon": ("Athens, Greece", "438 BC"),
    "great pyramid": ("Giza, Egypt", "around 2560 BC"),
    "leaning tower of pisa": ("Pisa, Italy", "1372"),
    "burj khalifa": ("Dubai", "2010"),
}

SYMBOLS = {
    "gold": "Au",
    "silver": "Ag",
    "iron": "Fe",
    "sodium": "Na",
    "potassium": "K",
    "lead": "Pb",
    "oxygen": "O",
    "hydrogen": "H",
    "carbon": "C",
    "helium": "He",
    "copper": "Cu",
    "mercury": "Hg",
    "tin": "Sn",
    "nitrogen": "N",
    "calcium": "Ca",
    "uranium": "U",
}

CURRENCIES = {
    "japan": "the yen",
    "the united kingdom": "the pound sterling",
    "united kingdom": "the pound sterling",
    "the uk": "the pound sterling",
    "uk": "the pound sterling",
    "the united states": "the US dollar",
    "united states": "the US dollar",
    "usa": "the US dollar",
    "china": "the renminbi (yuan)",
    "india": "the Indian rupee",
    "switzerland": "the Swiss franc",
    "mexico": "the Mexican peso",
    "brazil": "the Brazilian real",
    "russia": "the ruble",
    "australia": "the Australian dollar",
    "canada": "the Canadian dollar",
    "germany": "the euro",
    "france": "the euro",
    "italy": "the euro",
    "spain": "the euro",
    "south korea": "the won",
}

_Statements = tuple[str, ...]


def _statements(*forms: str) -> _Statements:
    return forms


# Questions about one fixed thing: a pattern and the ways to state its answer.
_SIMPLE: list[tuple[re.Pattern[str], _Statements]] = [
    (
        re.compile(r"\b(largest|biggest) planet\b", re.I),
        _statements(
            "Jupiter is the largest planet in our solar system.",
            "The largest planet is Jupiter, more than eleven times as wide as Earth.",
            "That's Jupiter: a gas giant with more mass than all the other planets combined.",
            "Jupiter. It is by far the biggest planet orbiting the Sun.",
        ),
    ),
    (
        re.compile(r"\b(smallest planet|closest planet to the sun|planet closest to the sun)\b", re.I),
        _statements(
            "Mercury is the smallest planet and the one closest to the Sun.",
            "That's Mercury, which orbits the Sun every 88 days.",
            "Mercury: small, rocky and nearest to the Sun.",
        ),
    ),
    (
        re.compile(r"\bred planet\b", re.I),
        _statements(
            "Mars is known as the Red Planet, because of the iron oxide on its surface.",
            "The Red Planet is Mars; rusty dust gives it its colour.",
            "That's Mars, coloured red by iron-rich dust.",
        ),
    ),
    (
        re.compile(r"\b(largest|biggest) ocean\b", re.I),
        _statements(
            "The Pacific Ocean is the largest ocean on Earth.",
            "That's the Pacific, which covers about a third of the planet's surface.",
            "The largest ocean is the Pacific Ocean.",
        ),
    ),
    (
        re.compile(r"\b(tallest|highest) mountain\b", re.I),
        _statements(
            "Mount Everest is the tallest mountain on Earth, at 8,849 metres above sea level.",
            "The highest mountain is Mount Everest, on the border of Nepal and China.",
            "That's Mount Everest, 8,849 m above sea level.",
        ),
    ),
    (
        re.compile(r"\blongest river\b", re.I),
        _statements(
            "The Nile is usually cited as the longest river in the world, at about 6,650 km.",
            "That's the Nile, though some measurements put the Amazon slightly ahead.",
            "The longest river is the Nile, which flows north through eastern Africa into the Mediterranean.",
        ),
    ),
    (
        re.compile(r"\b(largest|biggest) country\b", re.I),
        _statements(
            "Russia is the largest country by area.",
            "By area, the largest country is Russia, at about 17 million square kilometres.",
            "That's Russia, which spans eleven time zones.",
        ),
    ),
    (
        re.compile(r"\bhow many continents\b", re.I),
        _statements(
            "There are seven continents.",
            "Seven: Africa, Antarctica, Asia, Australia, Europe, North America and South America.",
            "By the most common count there are seven continents.",
        ),
    ),
    (
        re.compile(r"\bhow many planets\b", re.I),
        _statements(
            "There are eight planets in our solar system.",
            "Eight, since Pluto was reclassified as a dwarf planet in 2006.",
            "Our solar system has eight planets, from Mercury out to Neptune.",
        ),
    ),
    (
        re.compile(r"\bboiling point of water\b|\bwater boil\b", re.I),
        _statements(
            "Water boils at 100 °C (212 °F) at sea level.",
            "At sea level the boiling point of water is 100 degrees Celsius.",
            "100 °C, or 212 °F, at standard atmospheric pressure.",
        ),
    ),
    (
        re.compile(r"\bfreezing point of water\b|\bwater freeze\b", re.I),
        _statements(
            "Water freezes at 0 °C (32 °F) at standard pressure.",
            "The freezing point of water is 0 degrees Celsius.",
            "0 °C, which is 32 °F.",
        ),
    ),
    (
        re.compile(r"\bspeed of light\b", re.I),
        _statements(
            "The speed of light in a vacuum is 299,792,458 metres per second.",
            "Light travels at about 300,000 km per second in a vacuum.",
            "About 299,792 km/s, or roughly 186,000 miles per second.",
        ),
    ),
    (
        re.compile(r"\bsky\b.*\bblue\b", re.I),
        _statements(
            "The sky looks blue because air molecules scatter short, blue wavelengths of sunlight much more "
            "than long, red ones (Rayleigh scattering).",
            "Sunlight is scattered by the gases in the atmosphere, and blue light is scattered the most, so "
            "blue reaches our eyes from every direction.",
            "Because of Rayleigh scattering: the atmosphere scatters blue light far more strongly than red.",
        ),
    ),
    (
        re.compile(r"\bhow many bones\b", re.I),
        _statements(
            "An adult human body has 206 bones.",
            "Adults have 206 bones; babies are born with around 270, some of which fuse.",
            "206 in a typical adult skeleton.",
        ),
    ),
    (
        re.compile(r"\bhow many days\b.*\bleap year\b", re.I),
        _statements("A leap year has 366 days.", "366, one more than a common year.", "There are 366 days."),
    ),
    (
        re.compile(r"\bhow many legs\b.*\bspider\b", re.I),
        _statements(
            "Spiders have eight legs.", "Eight: every spider has four pairs of legs.", "A spider has 8 legs."
        ),
    ),
    (
        re.compile(r"\b(first (person|man|human)) (on|to walk on) the moon\b", re.I),
        _statements(
            "Neil Armstrong was the first person to walk on the Moon, on 20 July 1969.",
            "That was Neil Armstrong, during the Apollo 11 mission in 1969.",
            "Neil Armstrong, followed minutes later by Buzz Aldrin.",
        ),
    ),
    (
        re.compile(r"\bchemical formula (for|of) water\b", re.I),
        _statements(
            "The chemical formula of water is H₂O.",
            "Water is H₂O: two hydrogen atoms bonded to one oxygen atom.",
            "H₂O.",
        ),
    ),
]

_CAPITAL = re.compile(r"\bcapital (?:city )?of ([A-Za-z .'-]+?)\s*[?.!]*$", re.I)
_WROTE = re.compile(
    r"\b(?:who wrote|who is the author of|author of|who authored)\s+[\"'“]?(.+?)[\"'”]?\s*[?.!]*$", re.I
)
_PAINTED = re.compile(r"\bwho painted\s+[\"'“]?(.+?)[\"'”]?\s*[?.!]*$", re.I)
_MADE = re.compile(
    r"\bwho (invented|discovered|created|developed)\s+(.+?)\s*[?.!]*$",
    re.I,
)
_SYMBOL = re.compile(r"\bchemical symbol (?:for|of) ([A-Za-z]+)", re.I)
_CURRENCY = re.compile(r"\bcurrency (?:of|in|used in) ([A-Za-z .'-]+?)\s*[?.!]*$", re.I)


def _capital(match: re.Match[str]) -> _Statements | None:
    place = match.group(1).strip()
    city = CAPITALS.get(place.lower())
    if city is None:
        return None
    return _statements(
        f"The capital of {place} is {city}.",
        f"{city} is the capital of {place}.",
        f"{place}'s capital is {city}.",
        f"It's {city}.",
    )


def _wrote(match: re.Match[str]) -> _Statements | None:
    title = match.group(1).strip()
    author = AUTHORS.get(title.lower())
    if author is None:
        return None
    return _statements(
        f"{title} was written by {author}.",
        f"{author} wrote {title}.",
        f"That's {author}.",
        f"{author} is the author of {title}.",
    )


def _painted(match: re.Match[str]) -> _Statements | None:
    title = match.group(1).strip()
    painter = PAINTERS.get(title.lower())
    if painter is None:
        return None
    shown = title[:1].upper() + title[1:]
    return _statements(
        f"{shown} was painted by {painter}.",
        f"{painter} painted {title}.",
        f"That's the work of {painter}.",
    )


def _made(match: re.Match[str]) -> _Statements | None:
    thing = match.group(2).strip()
    found = MAKERS.get(thing.lower())
    if found is None:
        return None
    who, verb, when = found
    shown = thing[:1].upper() + thing[1:]
    return _statements(
        f"{shown} was {verb} by {who} in {when}.",
        f"{who[:1].upper() + who[1:]} {verb} {thing}, in {when}.",
        f"That credit goes to {who} ({when}).",
    )


def _symbol(match: re.Match[str]) -> _Statements | None:
    element = match.group(1)
    symbol = SYMBOLS.get(element.lower())
    if symbol is None:
        return None
    return _statements(
        f"The chemical symbol for {element} is {symbol}.",
        f"{element[:1].upper() + element[1:]} is written {symbol} on the periodic table.",
        f"It's {symbol}.",
    )


def _currency(match: re.Match[str]) -> _Statements | None:
    place = match.group(1).strip()
    money = CURRENCIES.get(place.lower())
    if money is None:
        return None
    return _statements(
        f"The currency of {place} is {money}.",
        f"{place} uses {money}.",
        f"It's {money}.",
    )


_LOOKUPS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], _Statements | None]]] = [
    (_CAPITAL, _capital),
    (_WROTE, _wrote),
    (_PAINTED, _painted),
    (_MADE, _made),
    (_SYMBOL, _symbol),
    (_CURRENCY, _currency),
]


def lookup(question: str) -> _Statements | None:
    """Ways to state the answer to a question the table knows, or None."""
    question = question.strip()
    for pattern, answer in _LOOKUPS:
        match = pattern.search(question)
        if match:
            found = answer(match)
            if found:
                return found
    for pattern, statements in _SIMPLE:
        if pattern.search(question):
            return statements
    return None

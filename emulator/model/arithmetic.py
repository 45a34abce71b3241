"""Exact answers to simple arithmetic in a prompt ("What is 17 times 23?", "Calculate (4 + 5) * 3").

The expression is read by a small recursive-descent parser over numbers, + - * / ^, parentheses and their
English words, never by `eval`. Every part is bounded: the text read, the digits of a number, the
nesting, the size of a power, so a prompt cannot make the answer expensive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

_MAX_TEXT = 200
_MAX_TOKENS = 60
_MAX_DIGITS = 30
_MAX_DEPTH = 12
_MAX_EXPONENT = 64
_MAX_MAGNITUDE = Fraction(10) ** 40

_WORDS = [
    (r"multiplied\s+by|times", "*"),
    (r"divided\s+by|over", "/"),
    (r"plus|added\s+to", "+"),
    (r"minus|less", "-"),
    (r"to\s+the\s+power\s+of|raised\s+to(?:\s+the\s+power\s+of)?", "^"),
    (r"squared", "^2"),
    (r"cubed", "^3"),
]
_WORD_OPS = [(re.compile(rf"\b(?:{words})\b", re.I), op) for words, op in _WORDS]
_SYMBOLS = str.maketrans({"×": "*", "x": "*", "X": "*", "÷": "/", "−": "-", "–": "-"})
_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[-+*/^()%])")
# The stretch of a prompt that holds the expression: digits, operators and the words above.
_EXPRESSION = re.compile(
    r"[-(]*\s*\d[\d.,]*(?:\s*(?:[-+*/^×÷x−%()]|\*\*|multiplied\s+by|divided\s+by|times|over|plus|minus|"
    r"added\s+to|to\s+the\s+power\s+of|raised\s+to|squared|cubed)\s*[(]*\s*(?:\d[\d.,]*)?\s*[)]*)+",
    re.I,
)
_PERCENT_OF = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent)\s+of\s+(\d+(?:\.\d+)?)", re.I)
_SQRT = re.compile(r"square\s+root\s+of\s+(\d+(?:\.\d+)?)", re.I)


class _Unreadable(ValueError):
    pass


@dataclass(frozen=True)
class Result:
    expression: str  # as the answer writes it: "17 × 23"
    value: str  # exact where it can be: "391", "2.5", "0.333333"


def solve(prompt: str) -> Result | None:
    """The prompt's arithmetic and its value, or None when it holds none (or more than can be read)."""
    text = prompt[:_MAX_TEXT]
    percent = _PERCENT_OF.search(text)
    if percent:
        part, whole = Fraction(percent.group(1)), Fraction(percent.group(2))
        return Result(f"{percent.group(1)}% of {percent.group(2)}", _format(part * whole / 100))
    root = _SQRT.search(text)
    if root:
        number = Fraction(root.group(1))
        exact = _exact_root(number)
        if exact is not None:
            return Result(f"√{root.group(1)}", _format(exact))
        return Result(f"√{root.group(1)}", _format(Fraction(float(number) ** 0.5)))
    found = max(_EXPRESSION.findall(text), key=len, default="")
    if not re.search(r"\d\s*(?:[-+*/^×÷x−]|\*\*|[a-z]+)", found, re.I):
        return None
    symbols = re.sub(r"(?<=\d),(?=\d{3})", "", found).rstrip(".,")
    for pattern, op in _WORD_OPS:
        symbols = pattern.sub(f" {op} ", symbols)
    symbols = symbols.replace("**", "^").translate(_SYMBOLS)
    try:
        tokens = _tokens(symbols)
        if not any(t in "+-*/^" for t in tokens[1:]):
            return None
        value = _Parser(tokens).parse()
    except (_Unreadable, ZeroDivisionError):
        return None
    return Result(_written(tokens), _format(value))


def _exact_root(number: Fraction) -> Fraction | None:
    if number.denominator != 1 or number < 0:
        return None
    root = int(number.numerator**0.5)
    for candidate in (root - 1, root, root + 1):
        if candidate >= 0 and candidate * candidate == number.numerator:
            return Fraction(candidate)
    return None


def _tokens(symbols: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    symbols = symbols.strip()
    while position < len(symbols):
        match = _TOKEN.match(symbols, position)
        if not match:
            if symbols[position:].strip():
                raise _Unreadable(symbols[position:])
            break
        token = match.group(1)
        if len(token) > _MAX_DIGITS:
            raise _Unreadable("number too long")
        tokens.append(token)
        position = match.end()
        if len(tokens) > _MAX_TOKENS:
            raise _Unreadable("expression too long")
    while tokens and tokens[-1] in "+-*/^(":
        tokens.pop()
    return tokens


def _written(tokens: list[str]) -> str:
    shown = {"*": "×", "/": "÷", "-": "−"}
    out = ""
    for index, token in enumerate(tokens):
        if token == "^":
            out += "^"
        elif token in "+-*/" and not (token == "-" and (index == 0 or tokens[index - 1] in "+-*/^(")):
            out += f" {shown.get(token, token)} "
        elif token == "-":
            out += "-"
        else:
            out += token
    return out.replace("( ", "(").replace(" )", ")").strip()


class _Parser:
    """expr := term (("+"|"-") term)*; term := power (("*"|"/") power)*; power := unary ("^" power)?;
    unary := "-" unary | atom "%"?; atom := number | "(" expr ")"."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def parse(self) -> Fraction:
        value = self.expr()
        if self.at != len(self.tokens):
            raise _Unreadable("trailing input")
        return value

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _Unreadable("unexpected end")
        self.at += 1
        return token

    def expr(self) -> Fraction:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            right = self.term()
            value = value + right if op == "+" else value - right
            _check(value)
        return value

    def term(self) -> Fraction:
        value = self.power()
        while self.peek() in ("*", "/"):
            op = self.take()
            right = self.power()
            value = value * right if op == "*" else value / right
            _check(value)
        return value

    def power(self) -> Fraction:
        base = self.unary()
        if self.peek() == "^":
            self.take()
            exponent = self.power()
            if exponent.denominator != 1 or abs(exponent) > _MAX_EXPONENT:
                raise _Unreadable("exponent out of range")
            base = base ** int(exponent)
            _check(base)
        return base

    def unary(self) -> Fraction:
        if self.peek() == "-":
            self.take()
            return -self.unary()
        if self.peek() == "+":
            self.take()
            return self.unary()
        value = self.atom()
        if self.peek() == "%":
            self.take()
            value /= 100
        return value

    def atom(self) -> Fraction:
        token = self.take()
        if token == "(":
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise _Unreadable("too deeply nested")
            value = self.expr()
            if self.take() != ")":
                raise _Unreadable("unclosed parenthesis")
            self.depth -= 1
            return value
        if token[0].isdigit():
            return Fraction(token)
        raise _Unreadable(f"unexpected {token}")


def _check(value: Fraction) -> None:
    if abs(value) > _MAX_MAGNITUDE or value.denominator > _MAX_MAGNITUDE:
        raise _Unreadable("value out of range")


def _format(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    rounded = round(float(value), 6)
    text = f"{rounded:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"

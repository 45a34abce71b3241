"""Log probabilities for the returned tokens: deterministic, and consistent with the text.

Each entry is one token of the answer (its text, its UTF-8 bytes and a log probability). The
alternatives in `top_logprobs` are other tokens, always less likely than the chosen one, so the chosen
token is the most likely: what a model sampling at temperature 0 would show.
"""

from __future__ import annotations

import hashlib
from typing import Any

from emulator.model import tokens

# Common continuations offered as the alternatives; real ones differ, but they are real tokens.
_ALTERNATIVES = (
    " the",
    " a",
    ",",
    ".",
    " and",
    " to",
    " of",
    " in",
    " is",
    " it",
    " that",
    " for",
    "\n",
    " this",
    " with",
    " on",
    " as",
    " be",
    " are",
    " or",
    " an",
)


def _unit(digest: bytes, *parts: object) -> float:
    raw = hashlib.blake2b(digest + repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big") / 2**64


def _entry(token: bytes, logprob: float) -> dict[str, Any]:
    try:
        shown = token.decode("utf-8")
    except UnicodeDecodeError:  # a token that ends inside a character, shown as the service shows it
        shown = "bytes:" + "".join(f"\\x{b:02x}" for b in token)
    return {"token": shown, "bytes": list(token), "logprob": logprob}


def for_tokens(token_bytes: list[bytes], digest: bytes, top: int) -> list[dict[str, Any]]:
    out = []
    for position, token in enumerate(token_bytes):
        # Most tokens are near-certain; a few are real choices.
        u = _unit(digest, position)
        chosen = -round((u**4) * 2.5 + 1e-6 * (1 + u), 6)
        entry = _entry(token, chosen)
        alternatives = []
        if top:
            pool = [a.encode() for a in _ALTERNATIVES if a.encode() != token]
            start = int(_unit(digest, position, "alt") * len(pool))
            gap = max(-chosen, 0.05)
            for rank in range(top - 1):
                candidate = pool[(start + rank) % len(pool)]
                alternatives.append(_entry(candidate, round(chosen - gap * (rank + 1) - 1.0, 6)))
            entry["top_logprobs"] = [_entry(token, chosen), *alternatives]
        else:
            entry["top_logprobs"] = []
        out.append(entry)
    return out


def for_text(content: str, model: str, digest: bytes, top: int) -> list[dict[str, Any]]:
    return for_tokens(tokens.token_bytes(content, model), digest, top)

"""The examples of a seed document, read from its text: each fenced block, with the operation and tab it
sits under (`### Get stored completion` → retrieve; `# [Python (API Key)](#tab/python-key)` → key)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The headings that open each operation's part of a seed document.
OPERATIONS = {
    "Configure stored completions": "create",
    "List stored completions": "list",
    "Get stored completion": "retrieve",
    "Get stored chat completion messages": "messages",
    "Update stored chat completion": "update",
    "Delete stored chat completion": "delete",
}

_HEADING = re.compile(r"^#{2,3} (.+?)\s*$")
_TAB = re.compile(r"^# \[(.+?)\]\(#tab/[\w-]+\)\s*$")
_FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Example:
    seed: str  # the file's number: "000", "001"
    operation: str  # a value of OPERATIONS
    tab: str  # "Python (API Key)", "REST API", "Output", ...
    language: str  # the fence's language: python, bash, json
    code: str
    line: int  # where the block starts in the file, for messages

    @property
    def auth(self) -> str | None:
        """How a Python or curl example authenticates: "key" or "entra"."""
        if self.language == "python":
            return "entra" if "Entra ID" in self.tab else "key"
        if self.language == "bash":
            return "entra" if "Authorization: Bearer" in self.code else "key"
        return None

    @property
    def name(self) -> str:
        kind = {"python": "python", "bash": "curl", "json": "output"}[self.language]
        return "-".join(part for part in (self.seed, self.operation, kind, self.auth) if part)

    def output(self) -> Any:
        """The JSON an Output tab shows."""
        return json.loads(self.code)


def examples(path: Path) -> list[Example]:
    seed = path.name.split("_")[0]
    found: list[Example] = []
    operation: str | None = None
    tab = ""
    language: str | None = None
    start = 0
    block: list[str] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if language is not None:
            if line.strip() == "```":
                if operation is not None and language in ("python", "bash", "json"):
                    found.append(Example(seed, operation, tab, language, "\n".join(block) + "\n", start))
                language = None
            else:
                block.append(line)
            continue
        if fence := _FENCE.match(line):
            language, start, block = fence.group(1), number, []
        elif tab_match := _TAB.match(line):
            tab = tab_match.group(1)
        elif (heading := _HEADING.match(line)) and heading.group(1) in OPERATIONS:
            operation, tab = OPERATIONS[heading.group(1)], ""
        elif line.startswith("## "):
            operation = None
    return found

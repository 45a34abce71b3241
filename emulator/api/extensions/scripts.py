"""Emulator-only routes for scripted answers: add rules, list those in force, clear them all.

    POST   /_emulator/scripts   a rule, or {"rules": [...]}  → {"ids": [...]}
    GET    /_emulator/scripts   → {"rules": [...]} (the rules that can still answer)
    DELETE /_emulator/scripts   → {"deleted": N}

The rule format is described in emulator/model/scripts.py and the README.
"""

from __future__ import annotations

from starlette.responses import Response

from emulator.control.api import SCRIPTS_PATH as _PATH
from emulator.control.api import ScriptError
from emulator.errors import InvalidRequest
from emulator.http.routing import Access, Call, Operation, json_response
from emulator.http.validation import parse_json_object
from emulator.model.scripts import rules_from_json


async def add_scripts(call: Call) -> Response:
    try:
        ids = call.runtime.scripts.add(rules_from_json(parse_json_object(await call.body())))
    except ScriptError as error:
        raise InvalidRequest(f"Invalid script: {error}.", param=error.param) from None
    return json_response({"ids": ids}, 201)


async def list_scripts(call: Call) -> Response:
    return json_response({"rules": call.runtime.scripts.describe()})


async def clear_scripts(call: Call) -> Response:
    return json_response({"deleted": call.runtime.scripts.clear()})


OPERATIONS = (
    Operation("add_scripts", "POST", ((None, _PATH),), add_scripts, Access.WRITE, extension=True),
    Operation("list_scripts", "GET", ((None, _PATH),), list_scripts, Access.READ, extension=True),
    Operation("clear_scripts", "DELETE", ((None, _PATH),), clear_scripts, Access.WRITE, extension=True),
)

"""Emulator-only routes for injected faults:

POST   /_emulator/faults        a rule, or {"rules": [...]}  → 201 the rule (or {"rules": [...]}) with its id
GET    /_emulator/faults        → {"object": "list", "data": [...]}, each rule with its remaining count
DELETE /_emulator/faults/{id}   → {"id", "object", "deleted": true}; an unknown id is 404
DELETE /_emulator/faults        → {"deleted": N}
"""

from __future__ import annotations

from starlette.responses import Response

from emulator.control.api import FAULTS_PATH
from emulator.errors import ObjectNotFound
from emulator.guards.fault_rules import declared_rules, parse_rules_body
from emulator.guards.faults import faults_of
from emulator.http.routing import Access, Call, Operation, json_response


async def add_faults(call: Call) -> Response:
    bodies, many = parse_rules_body(await call.body())
    book = faults_of(call.runtime, declared_rules)
    rules = [body.rule(book.new_id()) for body in bodies]
    book.add(rules)
    if not many:
        return json_response(rules[0].to_json(), 201)
    return json_response({"rules": [rule.to_json() for rule in rules]}, 201)


async def list_faults(call: Call) -> Response:
    rules = faults_of(call.runtime, declared_rules).rules()
    return json_response({"object": "list", "data": [rule.to_json() for rule in rules]})


async def delete_fault(call: Call) -> Response:
    rule_id = call.path_params["fault_id"]
    if not faults_of(call.runtime, declared_rules).remove(rule_id):
        raise ObjectNotFound("fault rule", rule_id, param="fault_id")
    return json_response({"id": rule_id, "object": "emulator.fault.deleted", "deleted": True})


async def clear_faults(call: Call) -> Response:
    return json_response({"deleted": faults_of(call.runtime, declared_rules).clear()})


_ONE = FAULTS_PATH + "/{fault_id}"

OPERATIONS = (
    Operation("add_faults", "POST", ((None, FAULTS_PATH),), add_faults, Access.WRITE, extension=True),
    Operation("list_faults", "GET", ((None, FAULTS_PATH),), list_faults, Access.READ, extension=True),
    Operation("clear_faults", "DELETE", ((None, FAULTS_PATH),), clear_faults, Access.WRITE, extension=True),
    Operation("delete_fault", "DELETE", ((None, _ONE),), delete_fault, Access.WRITE, extension=True),
)

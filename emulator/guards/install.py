"""The guards every request passes, in order: who may call (roles), what the service refuses to serve
now (rate limits), what the test asked to break (faults), and how long an answer takes (latency)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.guards.fault_rules import declared_rules
from emulator.guards.faults import Faults
from emulator.guards.latency import SimulatedLatency
from emulator.guards.ratelimits import RateLimits
from emulator.guards.roles import Roles

if TYPE_CHECKING:
    from emulator.http.routing import Guard


def standard_guards() -> list[Guard]:
    return [Roles(), RateLimits(), Faults(declared_rules), SimulatedLatency()]

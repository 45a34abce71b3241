"""A page of rows as the stores read them: how many, in which order, after which element id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Order = Literal["asc", "desc"]
ORDERS: dict[str, Order] = {"asc": "asc", "desc": "desc"}


@dataclass(frozen=True)
class PageRequest:
    limit: int
    order: Order
    after: str | None

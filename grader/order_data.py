"""What the table's items say: complete orders, sparse upserts, malformed orders, TTL values.

Items come in DynamoDB's typed form ({"N": "3"}, {"S": "pending"}), as Scan returns them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from grader.assessment import KEY_ATTRIBUTES, ORDER_STATUSES

Item = dict[str, dict[str, Any]]


ORDER_ATTRIBUTES = ("status", "order_date", "total_amount", "quantity")
"""The Task 4 attributes a complete order carries (besides its keys), each checked for its type."""
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MILLISECONDS_FROM = 10**11
"""Epoch seconds reach 10**11 only in the year 5138; a value this large is in milliseconds (or finer)."""


def _show(value: dict[str, Any]) -> str:
    """A typed value as the student wrote it: 3, '3', ['a'] ..."""
    kind, raw = next(iter(value.items()))
    return raw if kind == "N" else repr(raw)


def _kind(value: dict[str, Any]) -> str:
    return {"S": "a string", "N": "a number", "BOOL": "a boolean", "NULL": "null"}.get(
        next(iter(value)), f"of type {next(iter(value))}"
    )


def key_label(item: Item) -> str:
    """'CUST001/ORD0001' (the item's keys)."""
    return "/".join(
        str(item[k].get("S", _show(item[k]))) if k in item else "?" for k in KEY_ATTRIBUTES
    )


def is_sparse(item: Item) -> bool:
    """Keys plus attributes of later tasks only (e.g. expiry_date upserted by the TTL snippet)."""
    return not any(attribute in item for attribute in ORDER_ATTRIBUTES)


def _date_problem(value: dict[str, Any]) -> str:
    if "S" not in value:
        return f"order_date is {_kind(value)} ({_show(value)})"
    if DATE.fullmatch(value["S"]):
        try:
            datetime.date.fromisoformat(value["S"])
            return ""
        except ValueError:
            pass
    return f"order_date {value['S']!r} is not a YYYY-MM-DD date"


def order_problems(item: Item) -> list[str]:
    """Why an item is not a complete order (empty when it is one)."""
    problems = [f"{a} missing" for a in ("customer_id", "order_id", *ORDER_ATTRIBUTES) if a not in item]
    for key in ("customer_id", "order_id"):
        if key in item and "S" not in item[key]:
            problems.append(f"{key} is {_kind(item[key])}")
    if "status" in item and item["status"].get("S") not in ORDER_STATUSES:
        problems.append(f"status {_show(item['status'])} is not one of {'/'.join(ORDER_STATUSES)}")
    if "order_date" in item and (problem := _date_problem(item["order_date"])):
        problems.append(problem)
    for number in ("total_amount", "quantity"):
        if number in item and "N" not in item[number]:
            problems.append(f"{number} is {_kind(item[number])} ({_show(item[number])})")
    return problems


@dataclass
class Survey:
    """The table's items sorted into complete orders, sparse upserts (ignored) and malformed orders."""

    complete: list[Item] = field(default_factory=list)
    sparse: int = 0
    malformed: list[tuple[str, list[str]]] = field(default_factory=list)

    def distinct(self, attribute: str) -> list[str]:
        """The distinct string values of attribute over the complete orders, sorted."""
        return sorted({item[attribute]["S"] for item in self.complete})

    def malformed_summary(self, limit: int = 3) -> str:
        """'2 malformed orders: CUST001/ORD0003 (quantity is a string ('2')); ...' or ''."""
        if not self.malformed:
            return ""
        shown = "; ".join(f"{key} ({', '.join(problems)})" for key, problems in self.malformed[:limit])
        more = f"; and {len(self.malformed) - limit} more" if len(self.malformed) > limit else ""
        plural = "s" if len(self.malformed) != 1 else ""
        return f"{len(self.malformed)} malformed order{plural}: {shown}{more}"


def survey(items: Iterable[Item]) -> Survey:
    """Sort every item of the table (sparse upserts are counted but never held against the student)."""
    result = Survey()
    for item in items:
        if is_sparse(item):
            result.sparse += 1
        elif problems := order_problems(item):
            result.malformed.append((key_label(item), problems))
        else:
            result.complete.append(item)
    result.malformed.sort()
    return result


def expiry_problem(value: dict[str, Any], now: float) -> str:
    """'' when a typed expiry_date is epoch seconds in the future, else what is wrong with it."""
    if "N" not in value:
        return f"expiry_date is {_kind(value)} ({_show(value)}); TTL ignores anything but a number"
    try:
        seconds = Decimal(value["N"])
    except InvalidOperation:
        return f"expiry_date {value['N']} is not a number"
    if seconds >= MILLISECONDS_FROM:
        return f"expiry_date {value['N']} is in milliseconds (or finer), not epoch seconds"
    if seconds <= Decimal(str(now)):
        when = datetime.datetime.fromtimestamp(float(max(seconds, 0)), datetime.UTC)
        return f"expiry_date {value['N']} is in the past ({when:%Y-%m-%d %H:%M} UTC)"
    return ""

"""What the table's items say: complete orders, sparse upserts, malformed orders, TTL values.

Items come in plain values (grader/aws/views.py): a number is a Decimal, a string a str; a value of another
type than the task asks for is named by its DynamoDB type, as the student stored it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from grader.assessment import KEY_ATTRIBUTES, ORDER_STATUSES
from grader.aws.views import Item, dynamodb_type

ORDER_ATTRIBUTES = ("status", "order_date", "total_amount", "quantity")
"""The Task 4 attributes a complete order carries (besides its keys), each checked for its type."""
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MILLISECONDS_FROM = 10**11
"""Epoch seconds reach 10**11 only in the year 5138; a value this large is in milliseconds (or finer)."""
KINDS = {"S": "a string", "N": "a number", "BOOL": "a boolean", "NULL": "null"}


def _show(value: Any) -> str:
    """A value as the student wrote it: 3, '3', True, {'a', 'b'} ..."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set):
        return "{" + ", ".join(sorted(_show(member) for member in value)) + "}"
    return repr(value)


def _kind(value: Any) -> str:
    """'a string', 'a number', ... or 'of type SS'."""
    kind = dynamodb_type(value)
    return KINDS.get(kind, f"of type {kind}")


def key_label(item: Item) -> str:
    """'CUST001/ORD0001' (the item's keys)."""
    values = (item.get(k, "?") for k in KEY_ATTRIBUTES)
    return "/".join(value if isinstance(value, str) else _show(value) for value in values)


def is_sparse(item: Item) -> bool:
    """Keys plus attributes of later tasks only (e.g. expiry_date upserted by the TTL snippet)."""
    return not any(attribute in item for attribute in ORDER_ATTRIBUTES)


def _date_problem(value: Any) -> str:
    if not isinstance(value, str):
        return f"order_date is {_kind(value)} ({_show(value)})"
    if DATE.fullmatch(value):
        try:
            datetime.date.fromisoformat(value)
            return ""
        except ValueError:
            pass
    return f"order_date {value!r} is not a YYYY-MM-DD date"


def order_problems(item: Item) -> list[str]:
    """Why an item is not a complete order (empty when it is one)."""
    problems = [f"{a} missing" for a in ("customer_id", "order_id", *ORDER_ATTRIBUTES) if a not in item]
    for key in ("customer_id", "order_id"):
        if key in item and not isinstance(item[key], str):
            problems.append(f"{key} is {_kind(item[key])}")
    if "status" in item and not (isinstance(item["status"], str) and item["status"] in ORDER_STATUSES):
        problems.append(f"status {_show(item['status'])} is not one of {'/'.join(ORDER_STATUSES)}")
    if "order_date" in item and (problem := _date_problem(item["order_date"])):
        problems.append(problem)
    for number in ("total_amount", "quantity"):
        if number in item and not isinstance(item[number], Decimal):
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
        return sorted({item[attribute] for item in self.complete})

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


def expiry_problem(value: Any, now: float) -> str:
    """'' when an expiry_date is a number of epoch seconds in the future, else what is wrong with it."""
    if not isinstance(value, Decimal):
        return f"expiry_date is {_kind(value)} ({_show(value)}); TTL ignores anything but a number"
    if value >= MILLISECONDS_FROM:
        return f"expiry_date {value} is in milliseconds (or finer), not epoch seconds"
    if value <= Decimal(str(now)):
        when = datetime.datetime.fromtimestamp(float(max(value, 0)), datetime.UTC)
        return f"expiry_date {value} is in the past ({when:%Y-%m-%d %H:%M} UTC)"
    return ""

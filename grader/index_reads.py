"""Reading the student's table through its secondary indexes (tasks 5 and 6, live part).

Pure helpers over typed items ({"S": "x"}): which items an index holds, and whether a query's
answer came back in the index's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from grader import schema
from grader.assessment import IndexSpec, key_of
from grader.failures import RequirementFailed
from grader.sandbox.expressions import plain

Item = dict[str, dict[str, Any]]


def indexed(items: Sequence[Item], spec: IndexSpec) -> dict[str, list[Item]]:
    """The items the index holds (those carrying both its keys with their types: indexes are
    sparse), by partition key value."""
    (hash_name, _, hash_type), (range_name, _, range_type) = spec.keys
    groups: dict[str, list[Item]] = {}
    for item in items:
        if hash_type in item.get(hash_name, {}) and range_type in item.get(range_name, {}):
            groups.setdefault(item[hash_name][hash_type], []).append(item)
    return groups


def sort_value(value: dict[str, Any]) -> Any:
    """A typed key value as it sorts in DynamoDB: numbers as numbers, strings as strings."""
    kind, raw = next(iter(value.items()))
    return Decimal(raw) if kind == "N" else raw


def first_out_of_order(items: Sequence[Item], attribute: str, descending: bool = False) -> int | None:
    """The position of the first item out of order on attribute, or None when all are in order."""
    values = [sort_value(item[attribute]) for item in items]
    for position in range(1, len(values)):
        before, here = values[position - 1], values[position]
        if (here > before) if descending else (here < before):
            return position
    return None


def keys(items: Sequence[Item]) -> set[tuple[str, str]]:
    """The (customer_id, order_id) keys of typed items."""
    return {key for key in (key_of(plain(item)) for item in items) if key is not None}


def require_index_keys(index: dict[str, Any], table: dict[str, Any], spec: IndexSpec) -> None:
    """This check reads through the index: it must be keyed as the assessment says, and ACTIVE."""
    expected, task = list(spec.keys), f"Task {spec.task}"
    found = schema.keys(index["KeySchema"], table)
    if found != expected:
        raise RequirementFailed(
            f"index {index['IndexName']} is keyed {schema.describe(found)}",
            f"{schema.describe(expected)} ({task})",
            "Fix the index first; this check queries through it",
        )
    status = index.get("IndexStatus", "ACTIVE")  # LSIs report no status: they live with the table
    if status != "ACTIVE":
        raise RequirementFailed(
            f"index {index['IndexName']} is {status}",
            f"ACTIVE ({task})",
            "Wait until the index is built, then grade again",
        )


def missing_note(expected: set[tuple[str, str]], found: set[tuple[str, str]]) -> str:
    """' (missing ORD0005, ORD0009)' for a message."""
    missing = sorted(order for _, order in expected - found)
    return f" (missing {', '.join(missing[:5])}{'...' if len(missing) > 5 else ''})" if missing else ""

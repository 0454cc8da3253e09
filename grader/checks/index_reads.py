"""Reading the student's table through its secondary indexes (tasks 5 and 6, live part).

Pure helpers over plain items (grader/aws/views.py): which items an index holds, and whether a query's
answer came back in the index's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader import states
from grader.assessment import GSI, LSI, IndexSpec, key_of
from grader.aws.views import IndexView, Item, describe_keys, dynamodb_type
from grader.failures import RequirementFailed


def _has(item: Item, name: str, attribute_type: str) -> bool:
    """The item carries attribute name with the DynamoDB type (S, N or B) a key of that type needs."""
    return name in item and dynamodb_type(item[name]) == attribute_type


def indexed(items: Sequence[Item], spec: IndexSpec) -> dict[Any, list[Item]]:
    """The items the index holds (those carrying both its keys with their types: indexes are
    sparse), by partition key value."""
    (hash_name, _, hash_type), (range_name, _, range_type) = spec.keys
    groups: dict[Any, list[Item]] = {}
    for item in items:
        if _has(item, hash_name, hash_type) and _has(item, range_name, range_type):
            groups.setdefault(item[hash_name], []).append(item)
    return groups


def by_status(items: Sequence[Item]) -> list[tuple[str, list[Item]]]:
    """Task 5's queries: each status on StatusDateIndex, with the items it should return."""
    return sorted(indexed(items, GSI).items())


def busiest_customer(items: Sequence[Item]) -> tuple[str, list[Item]] | None:
    """Task 6's query: the customer with the most orders on CustomerAmountIndex (the first by id of
    those with as many), with their items; None when the index holds no item."""
    by_customer = indexed(items, LSI)
    return max(sorted(by_customer.items()), key=lambda entry: len(entry[1])) if by_customer else None


def first_out_of_order(items: Sequence[Item], attribute: str, descending: bool = False) -> int | None:
    """The position of the first item out of order on attribute (a key: numbers compare as numbers,
    strings as strings), or None when all are in order."""
    values = [item[attribute] for item in items]
    for position in range(1, len(values)):
        before, here = values[position - 1], values[position]
        if (here > before) if descending else (here < before):
            return position
    return None


def keys(items: Sequence[Item]) -> set[tuple[str, str]]:
    """The (customer_id, order_id) keys of plain items."""
    return {key for key in map(key_of, items) if key is not None}


def require_index_keys(index: IndexView, spec: IndexSpec) -> None:
    """This check reads through the index: it must be keyed as the assessment says, and ACTIVE; one AWS is
    still building is not graded yet (grader/states.py)."""
    task = f"Task {spec.task}"
    if index.keys != spec.keys:
        raise RequirementFailed(
            f"index {index.name} is keyed {describe_keys(index.keys)}",
            f"{describe_keys(spec.keys)} ({task})",
            "Fix the index first; this check queries through it",
        )
    states.require_built(index.name, index.status, index.backfilling)
    status = index.status or "ACTIVE"  # LSIs report no status: they live with the table
    if status != "ACTIVE":
        raise RequirementFailed(
            f"index {index.name} is {status}",
            f"ACTIVE ({task})",
            f"Create the index again ({task}); this check queries through it",
        )


def missing_note(expected: set[tuple[str, str]], found: set[tuple[str, str]]) -> str:
    """' (missing ORD0005, ORD0009)' for a message."""
    missing = sorted(order for _, order in expected - found)
    return f" (missing {', '.join(missing[:5])}{'...' if len(missing) > 5 else ''})" if missing else ""

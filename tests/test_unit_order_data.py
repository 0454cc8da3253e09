"""grader.checks.order_data without AWS: complete orders, sparse upserts ignored, malformed named, TTL."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from grader.assessment import seed_orders
from grader.aws.views import Item, plain_item
from grader.checks.order_data import expiry_problem, order_problems, survey

NOW = 1_800_000_000.0
serialize = TypeSerializer().serialize


def stored(**attributes: Any) -> Item:
    """An item as the grader reads it back once stored: ints become Decimals, and so on."""
    return plain_item({k: serialize(v) for k, v in attributes.items()})


def order(**changes: Any) -> Item:
    """A complete order as the grader reads it, with changes (None removes an attribute)."""
    attributes = {
        "customer_id": "CUST001",
        "order_id": "ORD0001",
        "status": "pending",
        "order_date": "2026-11-01",
        "product": "Mouse",
        "quantity": 2,
        "total_amount": 19,
    }
    attributes.update(changes)
    return stored(**{k: v for k, v in attributes.items() if v is not None})


def test_the_reference_orders_are_complete() -> None:
    result = survey(stored(**o) for o in seed_orders())
    assert (len(result.complete), result.sparse, result.malformed) == (20, 0, [])
    assert result.distinct("status") == ["delivered", "pending", "processing", "shipped"]


def test_sparse_upserts_of_later_snippets_are_ignored() -> None:
    """The TTL snippet upserts keys plus expiry_date when the random data missed CUST001/ORD0001."""
    result = survey([order(), stored(customer_id="CUST001", order_id="ORD0001", expiry_date=int(NOW) + 99)])
    assert (len(result.complete), result.sparse, result.malformed) == (1, 1, [])


@pytest.mark.parametrize(
    "changes, problem",
    [
        (
            {"order_date": "2026-11-01T09:00:00.123456"},
            "order_date '2026-11-01T09:00:00.123456' is not a YYYY-MM-DD",
        ),
        ({"order_date": "2026-13-01"}, "order_date '2026-13-01' is not a YYYY-MM-DD date"),
        ({"order_date": 20261101}, "order_date is a number (20261101)"),
        ({"quantity": "2"}, "quantity is a string ('2')"),
        ({"total_amount": "19.99"}, "total_amount is a string ('19.99')"),
        ({"status": "Pending"}, "status 'Pending' is not one of pending/processing/shipped/delivered"),
        ({"quantity": None}, "quantity missing"),  # e.g. the Task 12 duplicate-put item
        ({"customer_id": 1}, "customer_id is a number"),
    ],
)
def test_malformed_orders_say_why(changes: dict[str, Any], problem: str) -> None:
    problems = order_problems(order(**changes))
    assert any(problem in p for p in problems), problems


def test_the_summary_names_the_first_few_malformed_orders() -> None:
    items = [order(order_id=f"ORD{i:04d}", quantity=str(i)) for i in range(5)]
    summary = survey([*items, order()]).malformed_summary(limit=2)
    assert summary == (
        "5 malformed orders: CUST001/ORD0000 (quantity is a string ('0')); "
        "CUST001/ORD0001 (quantity is a string ('1')); and 3 more"
    )


@pytest.mark.parametrize(
    "value, phrase",
    [
        ({"N": str(int(NOW) + 90 * 86400)}, ""),
        ({"N": f"{NOW + 1.5}"}, ""),
        ({"N": str(int(NOW * 1000))}, "in milliseconds"),
        ({"N": str(int(NOW) - 60)}, "in the past (2027-01-15 07:59 UTC)"),
        ({"S": "2027-01-01T00:00:00"}, "expiry_date is a string ('2027-01-01T00:00:00')"),
    ],
)
def test_expiry_values(value: dict[str, str], phrase: str) -> None:
    problem = expiry_problem(TypeDeserializer().deserialize(value), NOW)
    assert (phrase in problem) if phrase else problem == "", problem


def test_expiry_uses_the_clock_given() -> None:
    assert expiry_problem(Decimal(int(time.time()) + 5), time.time()) == ""

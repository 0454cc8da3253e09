"""Task 4: sample data: at least 15 complete orders, over at least 2 statuses and 2 customers."""

from __future__ import annotations

import pytest

from grader.aws.resources import StudentResources
from grader.aws.views import TableView
from grader.checks import order_data
from grader.failures import require

pytestmark = pytest.mark.task(4)

MIN_ORDERS = 15
SEED = "Run the Task 4 script (numbers as Decimal, order_date as YYYY-MM-DD)"


@pytest.fixture
def orders(table: TableView, student: StudentResources) -> order_data.Survey:
    """Every item of the table, over every scan page, sorted into complete, sparse and malformed."""
    return order_data.survey(student.items)


def _found(orders: order_data.Survey) -> str:
    """'14 complete orders (2 items with only keys and later tasks' attributes ignored); 6 malformed ...'."""
    found = f"{len(orders.complete)} complete order{'s' if len(orders.complete) != 1 else ''}"
    if orders.sparse:
        plural = "s" if orders.sparse != 1 else ""
        found += f" ({orders.sparse} item{plural} with only keys and later tasks' attributes ignored)"
    return "; ".join(filter(None, [found, orders.malformed_summary()]))


@pytest.mark.points(4)
def test_at_least_15_complete_orders(orders: order_data.Survey) -> None:
    """table holds at least 15 complete orders"""
    require(
        len(orders.complete) >= MIN_ORDERS,
        _found(orders),
        f"at least {MIN_ORDERS} orders with status, order_date, total_amount and quantity of the right types",
        f"{SEED}, or fix the malformed orders" if orders.malformed else SEED,
    )


@pytest.mark.points(2)
@pytest.mark.parametrize("attribute, label", [("status", "statuses"), ("customer_id", "customers")])
def test_orders_vary(attribute: str, label: str, orders: order_data.Survey) -> None:
    """complete orders span at least 2 {label}"""
    values = orders.distinct(attribute)
    require(
        len(values) >= 2,
        f"{_found(orders)}, {label}: {', '.join(values) if values else 'none'}",
        f"at least 2 different {label}",
        f"Insert orders with varying {label} ({SEED})",
    )

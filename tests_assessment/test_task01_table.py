"""Task 1: the orders table with a composite key, on-demand billing, standard class, tags."""

from __future__ import annotations

import pytest

from grader.assessment import TABLE_KEYS, table_tags
from grader.aws.resources import StudentResources
from grader.aws.views import TableView, describe_keys
from grader.failures import require

pytestmark = pytest.mark.task(1)

RECREATE = "Keys cannot change: recreate the table with {}"


@pytest.mark.points(2)
def test_table_exists_and_is_active(table: TableView) -> None:
    """table orders-ID exists and is ACTIVE"""
    require(
        table.status == "ACTIVE",
        f"table {table.name} is {table.status}",
        "ACTIVE",
        "Wait until creation finishes, then grade again",
    )


@pytest.mark.points(2)
def test_composite_key(table: TableView) -> None:
    """key is HASH customer_id (S) + RANGE order_id (S)"""
    expected = describe_keys(TABLE_KEYS)
    require(
        table.keys == TABLE_KEYS,
        f"the table's key is {describe_keys(table.keys)}",
        expected,
        RECREATE.format(expected),
    )


@pytest.mark.points(2)
def test_on_demand_billing(table: TableView) -> None:
    """billing mode is on-demand (PAY_PER_REQUEST)"""
    require(
        table.billing_mode == "PAY_PER_REQUEST",
        f"billing mode is {table.billing_mode}",
        "PAY_PER_REQUEST",
        "Switch the table to on-demand: update_table(BillingMode='PAY_PER_REQUEST')",
    )


@pytest.mark.points(1)
def test_standard_table_class(table: TableView) -> None:
    """table class is STANDARD"""
    require(
        table.table_class == "STANDARD",
        f"table class is {table.table_class}",
        "STANDARD",
        "Change it: update_table(TableClass='STANDARD')",
    )


@pytest.mark.points(1)
@pytest.mark.parametrize("key", ["Environment", "Application", "StudentID"])
def test_tag(key: str, table: TableView, student: StudentResources) -> None:
    """tag {key} is set as required"""
    expected = table_tags(student.student_id)[key]
    found = student.tags.get(key)
    require(
        found == expected,
        f"tag {key} is missing" if found is None else f"tag {key}={found}",
        f"{key}={expected}",
        f"Tag the table: tag_resource(Tags=[{{'Key': '{key}', "
        f"'Value': '{expected}'}}]) (keys and values are case-sensitive)",
    )

"""Task 1: the orders table with a composite key, on-demand billing, standard class, tags."""

from __future__ import annotations

from typing import Any

import pytest

from grader import schema
from grader.assessment import TABLE_KEYS, table_tags
from grader.failures import require
from grader.resources import StudentResources

pytestmark = pytest.mark.task(1)

EXPECTED_KEYS = list(TABLE_KEYS)
RECREATE = "Keys cannot change: recreate the table with {}"


@pytest.mark.points(2)
def test_table_exists_and_is_active(table: dict[str, Any]) -> None:
    """table orders-ID exists and is ACTIVE"""
    status = table["TableStatus"]
    require(
        status == "ACTIVE",
        f"table {table['TableName']} is {status}",
        "ACTIVE",
        "Wait until creation finishes, then grade again",
    )


@pytest.mark.points(2)
def test_composite_key(table: dict[str, Any]) -> None:
    """key is HASH customer_id (S) + RANGE order_id (S)"""
    found = schema.keys(table["KeySchema"], table)
    expected = schema.describe(EXPECTED_KEYS)
    require(
        found == EXPECTED_KEYS,
        f"the table's key is {schema.describe(found)}",
        expected,
        RECREATE.format(expected),
    )


@pytest.mark.points(2)
def test_on_demand_billing(table: dict[str, Any]) -> None:
    """billing mode is on-demand (PAY_PER_REQUEST)"""
    mode = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    require(
        mode == "PAY_PER_REQUEST",
        f"billing mode is {mode}",
        "PAY_PER_REQUEST",
        "Switch the table to on-demand: update_table(BillingMode='PAY_PER_REQUEST')",
    )


@pytest.mark.points(1)
def test_standard_table_class(table: dict[str, Any]) -> None:
    """table class is STANDARD"""
    table_class = table.get("TableClassSummary", {}).get("TableClass", "STANDARD")
    require(
        table_class == "STANDARD",
        f"table class is {table_class}",
        "STANDARD",
        "Change it: update_table(TableClass='STANDARD')",
    )


@pytest.mark.points(1)
@pytest.mark.parametrize("key", ["Environment", "Application", "StudentID"])
def test_tag(key: str, table: dict[str, Any], student: StudentResources) -> None:
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

"""Task 10: time to live on expiry_date, and at least one item that will expire in the future."""

from __future__ import annotations

import time

import pytest

from grader.aws.resources import StudentResources
from grader.aws.views import TableView
from grader.checks import order_data
from grader.failures import require

pytestmark = pytest.mark.task(10)

TTL_ATTRIBUTE = "expiry_date"
SET_EXPIRY = (
    "Set it on an order in epoch seconds: update_item(UpdateExpression='SET expiry_date = :e', "
    "ExpressionAttributeValues={':e': int(time.time()) + 90 * 24 * 3600})"
)


@pytest.mark.points(4)
def test_ttl_enabled_on_expiry_date(table: TableView, student: StudentResources) -> None:
    """TTL is enabled on expiry_date"""
    status, attribute = student.ttl.status, student.ttl.attribute
    found = f"TTL is {status}" + (f" on {attribute}" if attribute else "")
    require(
        status == "ENABLED" and attribute == TTL_ATTRIBUTE,
        found,
        f"ENABLED on {TTL_ATTRIBUTE}",
        "Enable it: update_time_to_live(TimeToLiveSpecification={'Enabled': True, "
        f"'AttributeName': '{TTL_ATTRIBUTE}'}}) (disable a TTL on another attribute first)",
    )


@pytest.mark.points(4)
def test_an_item_expires_in_the_future(table: TableView, student: StudentResources) -> None:
    """an item has a future expiry_date in epoch seconds"""
    now = time.time()
    values = [item[TTL_ATTRIBUTE] for item in student.items if TTL_ATTRIBUTE in item]
    problems = [order_data.expiry_problem(value, now) for value in values]
    require(
        values and "" in problems,
        f"no item has {TTL_ATTRIBUTE}" if not values else "; ".join(sorted(set(problems))[:3]),
        f"at least one item with a numeric {TTL_ATTRIBUTE} in epoch seconds, in the future",
        SET_EXPIRY,
    )

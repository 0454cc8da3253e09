"""Task 5: query by status on StatusDateIndex: live on the student's table, and their query_gsi.py."""

from __future__ import annotations

import pytest

from grader.assessment import GSI, GSI_NAME
from grader.aws.resources import StudentResources
from grader.aws.views import TableView
from grader.checks import index_reads, prerequisites
from grader.failures import RequirementFailed, require
from grader.sandbox import expressions, judging
from grader.sandbox.record import Record

pytestmark = pytest.mark.task(5)

PLACEHOLDER_FIX = (
    "Write KeyConditionExpression='#status = :status' with "
    "ExpressionAttributeNames={'#status': 'status'} (or Key('status').eq(...) with the resource API)"
)


@pytest.mark.points(3)
def test_each_status_comes_back_by_date(table: TableView, student: StudentResources) -> None:
    """each status in the table comes back from StatusDateIndex sorted by order_date"""
    index_reads.require_index_keys(prerequisites.index(table, GSI), GSI)
    by_status = index_reads.by_status(student.items)
    require(
        by_status,
        f"no item of {student.table_name} has both status and order_date as strings",
        "orders to query (Task 4)",
        "Load the sample orders first; this check queries them",
    )
    for status, items in by_status:
        found = student.query_index(GSI_NAME, "status", status)
        expected_keys, found_keys = index_reads.keys(items), index_reads.keys(found)
        require(
            found_keys == expected_keys,
            f"{GSI_NAME} returned {len(found_keys & expected_keys)} of the {len(expected_keys)} "
            f"{status!r} orders{index_reads.missing_note(expected_keys, found_keys)}",
            "every order with that status",
            "If the index was just created, wait for it to finish backfilling, then grade again",
        )
        position = index_reads.first_out_of_order(found, "order_date")
        require(
            position is None,
            f"{status!r} orders came back out of order_date order at position {position}",
            "ascending order_date",
            "Make order_date the index's sort key (Task 2)",
        )


@pytest.mark.points(3)
def test_query_gsi_script(query_gsi_run: Record) -> None:
    """query_gsi.py queries StatusDateIndex by status (with a #name placeholder)"""
    step = query_gsi_run.step("run")
    queries = judging.index_queries(
        step,
        "query_gsi.py",
        GSI_NAME,
        "status",
        f"table.query(IndexName='{GSI_NAME}', KeyConditionExpression=<status = a value>)",
        PLACEHOLDER_FIX,
    )
    raw = [c for c in queries if expressions.raw_reserved_words(c.params["KeyConditionExpression"])]
    if raw and not any(call.ok for call in queries):
        raise RequirementFailed(
            f"its KeyConditionExpression {raw[0].params['KeyConditionExpression']!r} names the reserved "
            "word status directly, which DynamoDB rejects (ValidationException: reserved keyword: status)",
            "a #name placeholder for status",
            PLACEHOLDER_FIX,
        )
    ok = judging.answered(step, "query_gsi.py", queries)
    returned = [key for call in ok for key in call.returned]
    asked = {str(v) for call in ok for v in expressions.values(call.params, "KeyConditionExpression")}
    require(
        returned,
        f"its query for status {', '.join(sorted(asked)) or '?'} returned no orders",
        "a status the orders have",
        "Statuses are lower case: pending, processing, shipped or delivered",
    )

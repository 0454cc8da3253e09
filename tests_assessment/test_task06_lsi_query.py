"""Task 6: a customer's orders by amount on CustomerAmountIndex: live, and the student's query_lsi.py."""

from __future__ import annotations

import pytest

from grader.assessment import LSI, LSI_NAME
from grader.aws.resources import StudentResources
from grader.aws.views import TableView
from grader.checks import index_reads, prerequisites
from grader.failures import RequirementFailed, require
from grader.sandbox import judging
from grader.sandbox.record import Record

pytestmark = pytest.mark.task(6)

QUERY = f"table.query(IndexName='{LSI_NAME}', KeyConditionExpression=Key('customer_id').eq(...))"


@pytest.mark.points(3)
def test_customer_orders_come_back_by_descending_amount(table: TableView, student: StudentResources) -> None:
    """a customer's orders come back from CustomerAmountIndex by descending total_amount"""
    index_reads.require_index_keys(prerequisites.index(table, LSI), LSI)
    busiest = index_reads.busiest_customer(student.items)
    if busiest is None:
        raise RequirementFailed(
            f"no item of {student.table_name} has a numeric total_amount",
            "orders to query (Task 4)",
            "Load the sample orders (total_amount as a Decimal number) first; this check queries them",
        )
    customer, items = busiest
    found = student.query_index(LSI_NAME, "customer_id", customer, descending=True)
    expected_keys, found_keys = index_reads.keys(items), index_reads.keys(found)
    require(
        found_keys == expected_keys,
        f"{LSI_NAME} returned {len(found_keys & expected_keys)} of the {len(expected_keys)} orders of "
        f"{customer}{index_reads.missing_note(expected_keys, found_keys)}",
        "every order of that customer",
        "Recreate the table with the LSI (Task 3) and load the orders again",
    )
    position = index_reads.first_out_of_order(found, "total_amount", descending=True)
    require(
        position is None,
        f"{customer}'s orders came back out of descending total_amount order at position {position}",
        "highest total_amount first",
        "Make total_amount (type N) the LSI's sort key (Task 3)",
    )


@pytest.mark.points(2)
def test_query_lsi_script_queries_the_lsi(query_lsi_run: Record) -> None:
    """query_lsi.py queries CustomerAmountIndex by customer_id"""
    step = query_lsi_run.step("run")
    queries = judging.index_queries(
        step,
        "query_lsi.py",
        LSI_NAME,
        "customer_id",
        QUERY,
        "Query the index by the customer's id, as in the task",
    )
    judging.answered(step, "query_lsi.py", queries)


@pytest.mark.points(1)
def test_query_lsi_script_sorts_descending(query_lsi_run: Record) -> None:
    """query_lsi.py asks for the highest total_amount first (ScanIndexForward=False)"""
    step = query_lsi_run.step("run")
    queries = judging.index_queries(
        step,
        "query_lsi.py",
        LSI_NAME,
        "customer_id",
        f"{QUERY[:-1]}, ScanIndexForward=False)",
        "Add the query with ScanIndexForward=False",
    )
    settings = sorted({repr(call.params.get("ScanIndexForward", "not set")) for call in queries})
    require(
        any(call.params.get("ScanIndexForward") is False for call in queries),
        f"its Query on {LSI_NAME} has ScanIndexForward={', '.join(settings)} (ascending order)",
        "ScanIndexForward=False",
        "Pass ScanIndexForward=False so DynamoDB returns the highest total_amount first",
    )

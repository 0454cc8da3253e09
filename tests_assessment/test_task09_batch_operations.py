"""Task 9: batch_operations.py reads and updates several orders with one batch request each."""

from __future__ import annotations

import pytest

from grader.assessment import table_name
from grader.failures import require
from grader.sandbox import judging, plans
from grader.sandbox.record import Record

pytestmark = pytest.mark.task(9)

GET_KEYS = {judging.key_of(key) for key in plans.BATCH_GET_KEYS}
UPDATE_KEYS = {judging.key_of(key) for key in plans.BATCH_UPDATE_KEYS}
NEW_STATUS = plans.BATCH_NEW_STATUS


def _names(keys: set[tuple[str, str] | None]) -> str:
    return ", ".join(sorted(f"{k[0]}/{k[1]}" for k in keys if k is not None)) or "none"


@pytest.mark.points(2)
def test_batch_get_returns_the_orders(batch_operations_run: Record) -> None:
    """batch_get_orders(order_keys) returns the orders with those keys"""
    step = batch_operations_run.step("batch get")
    require(
        step.finished,
        f"batch_get_orders({_names(GET_KEYS)}) did not return{judging.stopped(step)}",
        "a list of the 3 orders",
        "Call it yourself with a list of {'customer_id': ..., 'order_id': ...} keys and fix the error",
    )
    result = step.result if isinstance(step.result, list) else []
    returned = {judging.key_of(item) for item in result}
    require(
        returned == GET_KEYS and len(result) == len(GET_KEYS),
        f"batch_get_orders returned {judging.show_result(step.result)}",
        f"a list of the {len(GET_KEYS)} orders {_names(GET_KEYS)}",
        "Return the items of response['Responses'][<table name>]",
    )
    unread = returned - judging.read_keys(step)
    require(
        not unread,
        f"batch_get_orders returned {_names(unread)} without reading them (its calls: "
        f"{judging.calls_summary(step)})",
        "the orders as DynamoDB returned them",
        "Return the items of response['Responses'][<table name>], not the keys you were given",
    )


@pytest.mark.points(2)
def test_batch_get_uses_batch_get_item(batch_operations_run: Record, student_id: str) -> None:
    """batch_get_orders reads with one BatchGetItem, not a GetItem per key"""
    step = batch_operations_run.step("batch get")
    table = table_name(student_id)
    asked = set().union(*(judging.requested_keys(c, table, "Keys") for c in step.calls_of("BatchGetItem")))
    require(
        not step.calls_of("GetItem") and asked >= GET_KEYS,
        f"batch_get_orders made these calls: {judging.calls_summary(step)}",
        "BatchGetItem with the keys (no GetItem)",
        "Use dynamodb.batch_get_item(RequestItems={table_name: {'Keys': order_keys}})",
    )


@pytest.mark.points(2)
def test_batch_update_changes_the_orders(batch_operations_run: Record) -> None:
    """batch_update_status(order_keys, new_status) sets the status and keeps the rest of each order"""
    record = batch_operations_run
    step = record.step("batch update")
    before = record.steps[record.steps.index(step) - 1]
    problems = []
    for customer, order in sorted(k for k in UPDATE_KEYS if k is not None):
        old, new = before.item(customer, order) or {}, step.item(customer, order) or {}
        if new.get("status") != NEW_STATUS:
            problems.append(f"{order} has status {new.get('status', 'none')}")
        lost = sorted(set(old) - set(new))
        if lost:
            problems.append(f"{order} lost {', '.join(lost)}")
    require(
        not problems,
        f"after batch_update_status({_names(UPDATE_KEYS)}, {NEW_STATUS!r}): {'; '.join(problems)}"
        f"{judging.stopped(step)}",
        f"both orders in status {NEW_STATUS!r} with all their other attributes",
        "Write back each whole order with the new status (get the items, change status, put them)",
    )


@pytest.mark.points(2)
def test_batch_update_uses_batch_write_item(batch_operations_run: Record, student_id: str) -> None:
    """batch_update_status writes with BatchWriteItem, not a PutItem or UpdateItem per key"""
    step = batch_operations_run.step("batch update")
    table = table_name(student_id)
    written = set().union(
        *(judging.requested_keys(c, table, "PutRequest") for c in step.calls_of("BatchWriteItem"))
    )
    single = step.calls_of("PutItem") + step.calls_of("UpdateItem")
    require(
        not single and written >= UPDATE_KEYS,
        f"batch_update_status made these calls: {judging.calls_summary(step)}",
        "BatchWriteItem put requests for the orders (no PutItem or UpdateItem)",
        "Write inside `with table.batch_writer() as batch:` (batch.put_item) or call batch_write_item",
    )

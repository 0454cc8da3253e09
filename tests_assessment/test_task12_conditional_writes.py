"""Task 12: conditional_writes.py, run twice: the second run meets the conditions the first one set up."""

from __future__ import annotations

import pytest

from grader.failures import require
from grader.sandbox import expressions, judging, plans
from grader.sandbox.record import Call, Record, Step

pytestmark = pytest.mark.task(12)

CUSTOMER, ORDER = plans.PENDING_ORDER["customer_id"], plans.PENDING_ORDER["order_id"]
CONDITION_FIX = (
    "Pass ConditionExpression='#status = :pending' with ExpressionAttributeNames={'#status': 'status'} "
    "and ':pending': 'pending' in ExpressionAttributeValues"
)
FAILED = "ConditionalCheckFailedException"


def _status_updates(step: Step) -> list[Call]:
    """UpdateItem calls of the pending order that set its status."""
    return [
        call
        for call in step.calls_of("UpdateItem")
        if call.key() == plans.PENDING_ORDER
        and "status" in expressions.attributes(call.params, "UpdateExpression")
    ]


@pytest.mark.points(2)
def test_status_update_requires_pending(conditional_writes_run: Record) -> None:
    """the status update of ORD0001 has a condition that only lets a pending order change"""
    first, second = conditional_writes_run.step("first run"), conditional_writes_run.step("second run")
    updates = _status_updates(first)
    require(
        updates,
        f"the first run made no UpdateItem of {CUSTOMER}/{ORDER}'s status (its calls: "
        f"{judging.calls_summary(first)}){judging.stopped(first)}",
        "update_item(Key=<CUST001/ORD0001>, UpdateExpression='SET #status = :new', ConditionExpression=...)",
        CONDITION_FIX,
    )
    update = updates[0]
    condition = update.params.get("ConditionExpression")
    require(
        condition
        and "status" in expressions.attributes(update.params, "ConditionExpression")
        and "pending" in expressions.values(update.params, "ConditionExpression"),
        f"the status update's ConditionExpression is {condition!r}"
        if condition
        else "the status update has no ConditionExpression: it changes an order in any status",
        "a condition that status is 'pending'",
        CONDITION_FIX,
    )
    repeated = [call.error or "success" for call in _status_updates(second)]
    require(
        not repeated or repeated[0] == FAILED,
        f"in the second run (the order already processing) the update ended with {', '.join(repeated)}",
        f"{FAILED}: only a pending order may change",
        CONDITION_FIX,
    )


@pytest.mark.points(2)
def test_duplicate_put_uses_attribute_not_exists(conditional_writes_run: Record) -> None:
    """the order put is conditional on attribute_not_exists (no silent duplicate)"""
    first = conditional_writes_run.step("first run")
    puts = first.calls_of("PutItem")
    guarded = [
        call
        for call in puts
        if {"customer_id", "order_id"}
        & set(expressions.function_arguments(call.params, "ConditionExpression", "attribute_not_exists"))
    ]
    found = (
        f"its PutItem has ConditionExpression {puts[0].params.get('ConditionExpression')!r}"
        if puts
        else f"the first run made no PutItem (calls: {judging.calls_summary(first)}){judging.stopped(first)}"
    )
    require(
        guarded,
        found,
        "put_item(..., ConditionExpression='attribute_not_exists(order_id)')",
        "Add the condition so an existing order is never overwritten",
    )


@pytest.mark.points(1)
def test_failed_condition_is_handled(conditional_writes_run: Record) -> None:
    """run twice, a failed condition is caught and both runs finish normally"""
    runs = [conditional_writes_run.step("first run"), conditional_writes_run.step("second run")]
    for step in runs:
        require(
            step.finished,
            f"the {step.name} of conditional_writes.py did not finish{judging.stopped(step)}",
            "both runs to finish (exit status 0)",
            f"Catch the failed condition: except ClientError (Error Code '{FAILED}') or "
            "except table.meta.client.exceptions.ConditionalCheckFailedException",
        )
    require(
        any(call.error == FAILED for call in runs[1].calls),
        f"the second run met no failed condition (its calls: {judging.calls_summary(runs[1])})",
        f"a {FAILED} when the order is no longer pending and already exists",
        CONDITION_FIX,
    )


@pytest.mark.points(1)
def test_pending_order_ends_processing(conditional_writes_run: Record) -> None:
    """the pending order ORD0001 ends in status processing"""
    last = conditional_writes_run.step("second run")
    item = last.item(CUSTOMER, ORDER)
    status = item.get("status", "missing") if item else "gone"
    require(
        status == "processing",
        f"after both runs {CUSTOMER}/{ORDER} has status {status}",
        "processing",
        "Update the pending order's status to 'processing' (and never overwrite it with a put)",
    )

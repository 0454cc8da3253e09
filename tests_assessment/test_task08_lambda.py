"""Task 8, handler behaviour: the student's lambda_handler run in the sandbox on stream events."""

from __future__ import annotations

from typing import Any

import pytest

from grader.failures import require
from grader.sandbox import judging, plans
from grader.sandbox.record import Record, Step

pytestmark = pytest.mark.task(8)

HANDLER_FIX = "Run lambda_handler yourself on a sample stream event and fix the error it shows"


def _handled(run: Record, event: str) -> Step:
    """The handler's step for one event; it must have returned normally."""
    step = run.step(event)
    require(
        step.finished,
        f"lambda_handler crashed on {event}{judging.stopped(step)}",
        "it to process the record and return",
        HANDLER_FIX,
    )
    return step


def _new(record: dict[str, Any], attribute: str) -> str:
    return judging.image(record, "NewImage")[attribute]


def _old(record: dict[str, Any], attribute: str) -> str:
    return judging.image(record, "OldImage")[attribute]


@pytest.mark.points(1)
def test_handler_reports_records_processed(lambda_function_run: Record) -> None:
    """lambda_handler returns statusCode 200 and the number of records processed"""
    for event, count in (("INSERT", 1), ("a batch of 3 records", 3)):
        step = _handled(lambda_function_run, event)
        require(
            judging.reports_count(step.result, count),
            f"on {event} lambda_handler returned {judging.show_result(step.result)}",
            f"{{'statusCode': 200, ...}} stating {count} record(s) processed (e.g. in 'body')",
            "Return {'statusCode': 200, 'body': json.dumps(f'Processed {len(event[\"Records\"])} records')}",
        )


@pytest.mark.points(1)
def test_handler_logs_new_orders(lambda_function_run: Record) -> None:
    """on INSERT it prints the new order's id, customer and status"""
    step = _handled(lambda_function_run, "INSERT")
    words = [_new(plans.INSERT, name) for name in ("order_id", "customer_id", "status")]
    require(
        judging.printed_line(step, *words),
        f"on INSERT of {words[0]} it printed {judging.show_lines(step)}",
        f"a line naming {', '.join(words)}",
        "print the order_id, customer_id and status of record['dynamodb']['NewImage']",
    )


@pytest.mark.points(1)
def test_handler_logs_status_changes(lambda_function_run: Record) -> None:
    """on MODIFY with a new status it prints the order id with the old and the new status"""
    step = _handled(lambda_function_run, "MODIFY with a status change")
    order = _new(plans.STATUS_CHANGE, "order_id")
    old = _old(plans.STATUS_CHANGE, "status")
    new = _new(plans.STATUS_CHANGE, "status")
    require(
        judging.change_line(step, order, old, new),
        f"on {order} going from {old} to {new} it printed {judging.show_lines(step)}",
        f"a line naming {order}, then {old}, then {new}",
        "Compare OldImage and NewImage status; when they differ print both (old first)",
    )


@pytest.mark.points(1)
def test_handler_quiet_without_status_change(lambda_function_run: Record) -> None:
    """on MODIFY keeping the status it prints no status-change line"""
    step = _handled(lambda_function_run, "MODIFY without a status change")
    order = _new(plans.NO_STATUS_CHANGE, "order_id")
    line = judging.change_claim(step, order)
    require(
        line is None,
        f"{order} kept its status, yet the handler printed {line!r}",
        "no status-change line when OldImage and NewImage have the same status",
        "Print the change only when old_status != new_status",
    )


@pytest.mark.points(1)
def test_handler_survives_remove_and_missing_status(lambda_function_run: Record) -> None:
    """it does not crash on REMOVE or on images without status"""
    for event in ("REMOVE", "MODIFY of an item without status"):
        _handled(lambda_function_run, event)


@pytest.mark.points(1)
def test_handler_processes_each_record_of_a_batch(lambda_function_run: Record) -> None:
    """on a batch of records it logs each one that needs it"""
    step = _handled(lambda_function_run, "a batch of 3 records")
    created, changed, _ = plans.BATCH
    problems = []
    words = [_new(created, name) for name in ("order_id", "customer_id", "status")]
    if not judging.printed_line(step, *words):
        problems.append(f"no line naming the new order {', '.join(words)}")
    order, new = _new(changed, "order_id"), _new(changed, "status")
    if not judging.change_line(step, order, _old(changed, "status"), new):
        problems.append(f"no status-change line for {order}")
    require(
        not problems,
        f"on a batch of 3 records: {'; '.join(problems)}",
        "one line per record that needs one",
        "Loop over every record of event['Records'], not only the first",
    )

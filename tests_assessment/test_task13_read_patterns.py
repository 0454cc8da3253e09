"""Task 13: read_patterns.py reads with strong and with eventual consistency."""

from __future__ import annotations

import pytest

from grader.failures import require
from grader.sandbox import judging
from grader.sandbox.record import Record

pytestmark = pytest.mark.task(13)


@pytest.mark.points(2)
def test_strongly_consistent_get(read_patterns_run: Record) -> None:
    """a GetItem with ConsistentRead=True"""
    step = read_patterns_run.step("run")
    require(
        any(call.ok and judging.strongly_consistent(call) for call in step.calls_of("GetItem")),
        f"read_patterns.py made no strongly consistent GetItem (its calls: "
        f"{judging.calls_summary(step)}){judging.stopped(step)}",
        "get_item(..., ConsistentRead=True)",
        "Add a get_item with ConsistentRead=True",
    )


@pytest.mark.points(1)
def test_eventually_consistent_get(read_patterns_run: Record) -> None:
    """a GetItem with eventual consistency (ConsistentRead=False or left out)"""
    step = read_patterns_run.step("run")
    gets = step.calls_of("GetItem")
    require(
        any(call.ok and not judging.strongly_consistent(call) for call in gets),
        f"read_patterns.py made {len(gets)} GetItem, none eventually consistent{judging.stopped(step)}",
        "get_item(...) with ConsistentRead=False or without ConsistentRead",
        "Add an eventually consistent get_item (it costs half a strong read)",
    )


@pytest.mark.points(1)
def test_eventually_consistent_query(read_patterns_run: Record) -> None:
    """a Query of the base table with eventual consistency"""
    step = read_patterns_run.step("run")
    queries = judging.queries_on(step, None)
    require(
        any(call.ok and not judging.strongly_consistent(call) for call in queries),
        f"read_patterns.py made {len(queries)} Query of the base table, none eventually consistent"
        f"{judging.stopped(step)}",
        "query(KeyConditionExpression=<customer_id = ...>) with ConsistentRead=False or left out",
        "Add an eventually consistent query of the table (no IndexName)",
    )

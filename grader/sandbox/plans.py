"""What the sandbox does with each submission file: run it as a script, or call its functions.

One plan per file; the checks of a task read the record of its plan's steps by step name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from grader.assessment import STREAM_VIEW_TYPE, seed_key
from grader.assessment import order_key as key


@dataclass(frozen=True)
class StepSpec:
    """One step: a script run (function None) or a call of function(*args) in the imported module."""

    name: str
    function: str | None = None
    args: tuple[Any, ...] = ()
    lambda_context: bool = False
    """Append a Lambda context object to the arguments (the handler's second parameter)."""


@dataclass(frozen=True)
class Plan:
    file: str
    task: int
    steps: tuple[StepSpec, ...]

    @property
    def kind(self) -> Literal["script", "module"]:
        """A script runs as __main__ once per step; a module is imported once, then called per step."""
        return "script" if all(step.function is None for step in self.steps) else "module"


# Task 5, 6, 13: scripts run once --------------------------------------------------------------------
QUERY_GSI = Plan("query_gsi.py", 5, (StepSpec("run"),))
QUERY_LSI = Plan("query_lsi.py", 6, (StepSpec("run"),))
READ_PATTERNS = Plan("read_patterns.py", 13, (StepSpec("run"),))

# Task 12: run twice on the same table: the second run meets the conditions the first one set up -----
CONDITIONAL_WRITES = Plan("conditional_writes.py", 12, (StepSpec("first run"), StepSpec("second run")))
PENDING_ORDER = seed_key(1)
"""A seed order in status pending."""

# Task 9: the two functions, called with the seed's keys ---------------------------------------------
BATCH_GET_KEYS = (seed_key(1), seed_key(2), seed_key(3))
BATCH_UPDATE_KEYS = (seed_key(4), seed_key(5))
BATCH_NEW_STATUS = "processing"
BATCH_OPERATIONS = Plan(
    "batch_operations.py",
    9,
    (
        StepSpec("batch get", "batch_get_orders", (list(BATCH_GET_KEYS),)),
        StepSpec("batch update", "batch_update_status", (list(BATCH_UPDATE_KEYS), BATCH_NEW_STATUS)),
    ),
)


# Task 8: the stream handler on one event per case, then a batch ------------------------------------
def _typed(item: dict[str, str]) -> dict[str, dict[str, str]]:
    return {name: {"S": value} for name, value in item.items()}


def stream_record(
    event_name: str, item_key: dict[str, str], new: dict[str, str] | None, old: dict[str, str] | None
) -> dict[str, Any]:
    """A DynamoDB stream record as Lambda delivers it (NEW_AND_OLD_IMAGES)."""
    change: dict[str, Any] = {"Keys": _typed(item_key), "StreamViewType": STREAM_VIEW_TYPE}
    if new is not None:
        change["NewImage"] = _typed({**item_key, **new})
    if old is not None:
        change["OldImage"] = _typed({**item_key, **old})
    return {
        "eventID": f"{event_name.lower()}-{item_key['order_id']}",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": change,
    }


ORDER = {"order_date": "2026-01-15", "product": "Monitor"}
INSERT = stream_record("INSERT", key("CUST003", "ORD0101"), {**ORDER, "status": "pending"}, None)
STATUS_CHANGE = stream_record(
    "MODIFY", key("CUST002", "ORD0102"), {**ORDER, "status": "shipped"}, {**ORDER, "status": "pending"}
)
NO_STATUS_CHANGE = stream_record(
    "MODIFY",
    key("CUST004", "ORD0103"),
    {**ORDER, "status": "delivered", "product": "Laptop"},
    {**ORDER, "status": "delivered"},
)
REMOVE = stream_record("REMOVE", key("CUST005", "ORD0104"), None, {**ORDER, "status": "shipped"})
NO_STATUS = stream_record(
    "MODIFY", key("CUST001", "ORD0105"), {"expiry_date": "1900000000"}, {"order_date": "2026-01-15"}
)
BATCH = (
    stream_record("INSERT", key("CUST005", "ORD0111"), {**ORDER, "status": "processing"}, None),
    stream_record(
        "MODIFY",
        key("CUST001", "ORD0112"),
        {**ORDER, "status": "delivered"},
        {**ORDER, "status": "processing"},
    ),
    stream_record(
        "MODIFY", key("CUST002", "ORD0113"), {**ORDER, "status": "shipped"}, {**ORDER, "status": "shipped"}
    ),
)
"""A batch without REMOVE, so a handler failing on REMOVE fails only the REMOVE check."""
HANDLER_EVENTS = {
    "INSERT": (INSERT,),
    "MODIFY with a status change": (STATUS_CHANGE,),
    "MODIFY without a status change": (NO_STATUS_CHANGE,),
    "REMOVE": (REMOVE,),
    "MODIFY of an item without status": (NO_STATUS,),
    "a batch of 3 records": BATCH,
}
LAMBDA_FUNCTION = Plan(
    "lambda_function.py",
    8,
    tuple(
        StepSpec(name, "lambda_handler", ({"Records": list(records)},), lambda_context=True)
        for name, records in HANDLER_EVENTS.items()
    ),
)

PLANS: tuple[Plan, ...] = (
    QUERY_GSI,
    QUERY_LSI,
    READ_PATTERNS,
    LAMBDA_FUNCTION,
    BATCH_OPERATIONS,
    CONDITIONAL_WRITES,
)
"""In the order a student's files run: those that only read first, which leave their table as seeded
for the next file (grader.sandbox.runner), then those that write."""

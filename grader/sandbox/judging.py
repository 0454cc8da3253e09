"""Judging what the student's code did: its calls, its printed lines, its return values.

Pure helpers over a sandbox record, shared by the task modules and unit-tested on their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from grader import assessment
from grader.failures import require
from grader.sandbox import expressions
from grader.sandbox.record import Call, Step

CHANGE_MARKER = re.compile(r"->|→|=>|chang|transition|\bfrom\b", re.IGNORECASE)
EVENT_DUMP = re.compile(r"NewImage|OldImage|[\"']S[\"']\s*:")
"""A printed stream record (json.dumps(event)) names everything: it is not a message about it."""
LOG_LEVEL_FIX = (
    "Lower the level before logging: logging.getLogger().setLevel(logging.INFO) (logging.basicConfig does "
    "nothing in Lambda, whose runtime has already set up the root logger), or print the line"
)


def calls_summary(step: Step) -> str:
    """'Query (ValidationException), GetItem' or 'no AWS call', for a message."""
    if not step.calls:
        return "no AWS call"
    shown = [c.operation + (f" ({c.error})" if c.error else "") for c in step.calls[:6]]
    more = f" and {len(step.calls) - 6} more" if len(step.calls) > 6 else ""
    return ", ".join(shown) + more


def stopped(step: Step) -> str:
    """'; it raised KeyError: 'x' (line 3 of f.py)' when the step did not end normally, else ''."""
    ending = step.ending()
    return f"; {ending}" if ending else ""


def queries_on(step: Step, index: str | None) -> list[Call]:
    """The step's Query calls on an index (None: on the base table)."""
    return [call for call in step.calls_of("Query") if call.params.get("IndexName") == index]


def keyed_on(call: Call, attribute: str) -> bool:
    """The call's KeyConditionExpression uses the attribute (placeholders resolved)."""
    return attribute in expressions.attributes(call.params, "KeyConditionExpression")


def index_queries(step: Step, script: str, index: str, attribute: str, expected: str, fix: str) -> list[Call]:
    """The script's Queries on the index keyed on the attribute; none fails the check naming its calls."""
    queries = [call for call in queries_on(step, index) if keyed_on(call, attribute)]
    require(
        queries,
        f"{script} made no Query on {index} keyed on {attribute} (its calls: {calls_summary(step)})"
        f"{stopped(step)}",
        expected,
        fix,
    )
    return queries


def answered(step: Step, script: str, queries: list[Call]) -> list[Call]:
    """The queries DynamoDB answered; when none was, the check fails with the first error."""
    ok = [call for call in queries if call.ok]
    require(
        ok,
        f"its Query on {queries[0].params.get('IndexName', 'the table')} failed with {queries[0].error}"
        f"{stopped(step)}",
        "a query that succeeds",
        f"Run {script} against your table and fix the error it shows",
    )
    return ok


def strongly_consistent(call: Call) -> bool:
    return call.params.get("ConsistentRead") is True


def key_of(item: Any) -> tuple[Any, Any] | None:
    """(customer_id, order_id) of an item or key, typed or plain; None when it is not one."""
    return assessment.key_of(expressions.plain(item)) if isinstance(item, dict) else None


def image(record: dict[str, Any], which: str) -> dict[str, Any]:
    """A stream record's NewImage or OldImage as plain values ({} when the record has none)."""
    return expressions.plain({"M": record["dynamodb"].get(which, {})})


def read_keys(step: Step) -> set[tuple[Any, Any]]:
    """Keys of the items the step's successful calls read from DynamoDB (the record's, not the code's)."""
    keys = (key_of(item) for call in step.calls if call.ok for item in call.returned)
    return {key for key in keys if key is not None}


def requested_keys(call: Call, table: str, request: str) -> set[tuple[Any, Any]]:
    """Keys a BatchGetItem (request 'Keys') or BatchWriteItem (request 'PutRequest') asks for."""
    entries = (call.params.get("RequestItems") or {}).get(table) or {}
    if request == "Keys":
        items: Iterable[Any] = entries.get("Keys", []) if isinstance(entries, dict) else []
    else:
        items = [e.get(request, {}).get("Item") for e in entries if isinstance(e, dict)]
    return {k for k in (key_of(item) for item in items) if k is not None}


def printed_line(step: Step, *words: str) -> str | None:
    """The first printed line naming every word (case-insensitive), raw event dumps excepted."""
    for line in step.lines:
        lower = line.lower()
        if not EVENT_DUMP.search(line) and all(word.lower() in lower for word in words):
            return line
    return None


def change_line(step: Step, order_id: str, old: str, new: str) -> str | None:
    """A printed line naming the order and its old status before its new one."""
    for line in step.lines:
        lower = line.lower()
        if EVENT_DUMP.search(line) or order_id.lower() not in lower:
            continue
        first_old, last_new = lower.find(old.lower()), lower.rfind(new.lower())
        if -1 < first_old < last_new:
            return line
    return None


def change_claim(step: Step, order_id: str) -> str | None:
    """A printed line about the order that reads as a status change (arrow, 'changed', 'from')."""
    for line in step.lines:
        if not EVENT_DUMP.search(line) and order_id.lower() in line.lower() and CHANGE_MARKER.search(line):
            return line
    return None


def reports_count(result: Any, count: int) -> bool:
    """A handler's result is {'statusCode': 200, ...} and some other field states the record count."""
    if not isinstance(result, dict) or result.get("statusCode") not in (200, "200"):
        return False
    rest = json.dumps({k: v for k, v in result.items() if k != "statusCode"})
    return re.search(rf"(?<![\d.]){count}(?![\d.])", rest) is not None


def dropped_log(step: Step, fix: str, *words: str) -> tuple[str, str]:
    """When a logging call Lambda would drop names every word: a note for the message
    ('; it logged at INFO, but ...') and the fix that lowers the level; else ('', fix)."""
    for unlogged in step.unlogged:
        if all(word.lower() in unlogged.message.lower() for word in words):
            return f"; it {unlogged.note()}", LOG_LEVEL_FIX
    return "", fix


def show_result(result: Any) -> str:
    text = json.dumps(result) if result is not None else "None"
    return text if len(text) <= 120 else text[:117] + "..."


def show_lines(step: Step, limit: int = 3) -> str:
    """ "'line 1' | 'line 2'" (the first printed lines) or 'nothing', for a message."""
    shown = " | ".join(repr(line.strip()[:100]) for line in step.lines[:limit])
    more = f" (and {len(step.lines) - limit} more lines)" if len(step.lines) > limit else ""
    return shown + more if shown else "nothing"

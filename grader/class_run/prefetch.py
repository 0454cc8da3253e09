"""The reads a student's checks will ask for, made ahead: in a serial roster run, the next student's
reads are made in a thread of their own while one student is graded, so the checks find them kept.

Only the reads of the tasks graded are made, and only those whose arguments the checks would derive
the same way (index queries through the helpers the checks use). A read that fails here is not kept:
its check makes it again and says why. Reading ahead stops with the run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from grader.assessment import GSI, GSI_NAME, LSI, LSI_NAME, IndexSpec
from grader.aws import arns
from grader.aws.resources import StudentResources
from grader.aws.session import Account
from grader.aws.views import TableView
from grader.checks import index_reads, prerequisites


def _quietly(read: Callable[[], Any]) -> Any:
    """What read returns, or None when it raises (its check makes the read again)."""
    try:
        return read()
    except Exception:
        return None


TABLE_TASKS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 10})
"""The tasks whose checks describe the student's table (the other reads of most depend on it)."""


def read_ahead(student: StudentResources, tasks: frozenset[int], stop: threading.Event) -> StudentResources:
    """Make the student's reads that the checks of the graded tasks will ask for, each kept by
    StudentResources for the checks (which may already be asking for them: StudentResources makes each
    read once whichever thread asks first), until `stop` is set."""

    def wanted(*needing: int) -> bool:
        return not stop.is_set() and not tasks.isdisjoint(needing)

    table = _quietly(lambda: student.table) if wanted(*TABLE_TASKS) else None
    function = _quietly(lambda: student.function) if wanted(8) else None
    if wanted(10):
        _quietly(lambda: student.ttl)
    if wanted(4, 5, 6, 10):
        _quietly(lambda: student.items)
    if wanted(11):
        _quietly(lambda: student.all_metric_alarms)
    if table is not None:
        if wanted(1):
            _quietly(lambda: student.tags)
        if wanted(5):
            _quietly(lambda: _index_queries(student, table, GSI))
        if wanted(6):
            _quietly(lambda: _index_queries(student, table, LSI))
        if table.stream_enabled and table.latest_stream_arn:
            arn = table.latest_stream_arn
            if wanted(7):
                _quietly(lambda: student.stream_status(arn))
            if wanted(8):
                _quietly(lambda: student.event_source_mappings(EventSourceArn=arn))
    if function is not None and wanted(8):
        role = _quietly(lambda: student.role(arns.parse(function.role_arn).name))
        if role is not None and not stop.is_set():
            _quietly(lambda: student.role_policies(role.name))
    return student


def _index_queries(student: StudentResources, table: TableView, spec: IndexSpec) -> None:
    """Task 5's or 6's queries, when the index is keyed as its checks require (else they make none)."""
    index_reads.require_index_keys(prerequisites.index(table, spec), spec)
    if spec is GSI:
        for status, _ in index_reads.by_status(student.items):
            student.query_index(GSI_NAME, "status", status)
    elif (busiest := index_reads.busiest_customer(student.items)) is not None:
        student.query_index(LSI_NAME, "customer_id", busiest[0], descending=True)


class Prefetch:
    """Students' resources read ahead, one student at a time, in a thread of their own, for the checks
    of the graded tasks."""

    def __init__(self, tasks: Collection[int]) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
        self._ahead: dict[str, StudentResources] = {}
        self._tasks = frozenset(tasks)
        self._stop = threading.Event()

    def take(self, account: Account, student_id: str) -> StudentResources:
        """The student's resources, read ahead when they were (at once: a read still under way is
        waited for by the check that asks for it, within that check's time limit), else new."""
        return self._ahead.pop(student_id, None) or StudentResources(account, student_id)

    def start(self, account: Account, student_id: str) -> None:
        if student_id not in self._ahead:
            self._ahead[student_id] = StudentResources(account, student_id)
            self._executor.submit(read_ahead, self._ahead[student_id], self._tasks, self._stop)

    def close(self) -> None:
        """Stop reading ahead (the read under way ends, no other starts) and wait for the thread."""
        self._stop.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

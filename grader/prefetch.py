"""The reads a student's checks will ask for, made ahead: in a serial roster run, the next student's
reads are made in a thread of their own while one student is graded, so the checks find them kept.

Only reads whose arguments the checks would derive the same way are made (index queries through the
helpers the checks use). A read that fails here is not kept: its check makes it again and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from grader import arns, index_reads, prerequisites
from grader.assessment import GSI, GSI_NAME, LSI, LSI_NAME
from grader.aws import Account
from grader.resources import StudentResources
from grader.views import TableView


def _quietly(read: Callable[[], Any]) -> Any:
    """What read returns, or None when it raises (its check makes the read again)."""
    try:
        return read()
    except Exception:
        return None


def _index_queries(student: StudentResources, table: TableView) -> None:
    """Tasks 5 and 6's queries, when the index is keyed as the checks require (else they make none)."""
    index_reads.require_index_keys(prerequisites.index(table, GSI), GSI)
    for status, _ in index_reads.by_status(student.items):
        student.query_index(GSI_NAME, "status", status)
    index_reads.require_index_keys(prerequisites.index(table, LSI), LSI)
    if (busiest := index_reads.busiest_customer(student.items)) is not None:
        student.query_index(LSI_NAME, "customer_id", busiest[0], descending=True)


def read_ahead(student: StudentResources) -> StudentResources:
    """Make the student's reads, each kept by StudentResources for the checks (which may already be
    asking for them: StudentResources makes each read once whichever thread asks first)."""
    table, function = _quietly(lambda: student.table), _quietly(lambda: student.function)
    _quietly(lambda: (student.ttl, student.items, student.all_metric_alarms))
    if table is not None:
        _quietly(lambda: student.tags)
        _quietly(lambda: _index_queries(student, table))
        if table.stream_enabled and table.latest_stream_arn:
            arn = table.latest_stream_arn
            _quietly(lambda: (student.stream_status(arn), student.event_source_mappings(EventSourceArn=arn)))
    if function is not None:
        role = _quietly(lambda: student.role(arns.parse(function.role_arn).name))
        if role is not None:
            _quietly(lambda: student.role_policies(role.name))
    return student


class Prefetch:
    """Students' resources read ahead, one student at a time, in a thread of their own."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
        self._ahead: dict[str, StudentResources] = {}

    def take(self, account: Account, student_id: str) -> StudentResources:
        """The student's resources, read ahead when they were (at once: a read still under way is
        waited for by the check that asks for it, within that check's time limit), else new."""
        return self._ahead.pop(student_id, None) or StudentResources(account, student_id)

    def start(self, account: Account, student_id: str) -> None:
        if student_id not in self._ahead:
            self._ahead[student_id] = StudentResources(account, student_id)
            self._executor.submit(read_ahead, self._ahead[student_id])

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

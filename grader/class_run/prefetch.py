"""The reads a student's checks will ask for, made ahead and at once: while one student is graded, the
next students' reads are made in threads of their own, and the student being graded has theirs made
before their first check asks, so the checks find them kept.

A student's reads that do not depend on each other are made at the same time (grader/aws/resources.py's
at_once): the table, its time to live, its items, the function and the region's alarms at once; then
what each answer leads to (the table's tags, index queries and stream; the function's role, then its
policies; the alarms' topics). A scan's pages stay one after the other (each starts at the key the
last one ended on; a parallel scan by segments would hand the checks the items in another order). Only
the reads of the tasks graded are made, and only those whose
arguments the checks would derive the same way (index queries through the helpers the checks use). A
read that fails here is not kept: its check makes it again and says why. Reading ahead stops with the
run.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from grader.assessment import GSI, GSI_NAME, LSI, LSI_NAME, IndexSpec
from grader.aws import arns
from grader.aws.resources import AT_ONCE, StudentResources, at_once
from grader.aws.session import Account
from grader.aws.views import TableView
from grader.checks import alarms, index_reads, prerequisites

TABLE_TASKS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 10})
"""The tasks whose checks describe the student's table (the other reads of most depend on it)."""
AHEAD = 1
"""Students read ahead of the one graded. A student's independent reads are made at once, so one ahead
keeps up with the network: 40 students through a proxy answering each call 0, 50 and 150 ms late took
21.3, 20.2 and 20.6 s with one ahead, 22.5-26.7 s at 0 ms and 22.3 s at 50 ms with three (2026-12-06,
2 cores): more threads reading ahead only compete with the sandboxes for the cores."""


class _Ahead:
    """One student's reads made ahead, for the graded tasks, until `stop` is set."""

    def __init__(self, student: StudentResources, tasks: frozenset[int], stop: threading.Event) -> None:
        self.student, self.tasks, self.stop = student, tasks, stop

    def wanted(self, *needing: int) -> bool:
        return not self.stop.is_set() and not self.tasks.isdisjoint(needing)

    def read(self, read: Callable[[], Any]) -> Any:
        """What read returns, or None when it raises (its check makes the read again) or reading ahead
        has stopped."""
        if self.stop.is_set():
            return None
        try:
            return read()
        except Exception:
            return None

    def at_once(self, *reads: tuple[Collection[int], Callable[[], Any]]) -> None:
        """The reads wanted by the graded tasks (each given with the tasks needing it), made at once."""
        at_once(*(functools.partial(self.read, read) for needing, read in reads if self.wanted(*needing)))

    def everything(self) -> None:
        student = self.student
        self.at_once(
            (TABLE_TASKS, self.from_table),
            ({8}, self.from_function),
            ({10}, lambda: student.ttl),
            ({4, 5, 6, 10}, lambda: student.items),
            ({11}, self.topics),
        )

    def from_table(self) -> None:
        """The table, then its tags, index queries, stream and mappings."""
        student, table = self.student, self.read(lambda: self.student.table)
        if table is None:
            return
        reads: list[tuple[Collection[int], Callable[[], Any]]] = [
            ({1}, lambda: student.tags),
            ({5}, lambda: self.index_queries(table, GSI)),
            ({6}, lambda: self.index_queries(table, LSI)),
        ]
        if table.stream_enabled and (stream := table.latest_stream_arn):
            reads += [
                ({7}, lambda: student.stream_status(stream)),
                ({8}, lambda: student.event_source_mappings(EventSourceArn=stream)),
            ]
        self.at_once(*reads)

    def index_queries(self, table: TableView, spec: IndexSpec) -> None:
        """Task 5's or 6's queries, when the index is keyed as its checks require (else they make none).
        The statuses are the student's own data: at most AT_ONCE are queried ahead, each only while
        reading ahead goes on; the check queries any others itself, in its own time."""
        student = self.student
        index_reads.require_index_keys(prerequisites.index(table, spec), spec)
        if spec is GSI:
            statuses = [status for status, _ in index_reads.by_status(student.items)][:AT_ONCE]
            query = functools.partial(student.query_index, GSI_NAME, "status")
            self.at_once(*(((5,), functools.partial(query, status)) for status in statuses))
        elif (busiest := index_reads.busiest_customer(student.items)) is not None:
            self.read(lambda: student.query_index(LSI_NAME, "customer_id", busiest[0], descending=True))

    def from_function(self) -> None:
        """The function, then its role, then the role's policies."""
        student = self.student
        function = self.read(lambda: student.function)
        role = function and self.read(lambda: student.role(arns.parse(function.role_arn).name))
        if role is not None:
            self.read(lambda: student.role_policies(role.name))

    def topics(self) -> None:
        """The region's alarms, then the first SNS topic of each of the student's alarms that a
        requirement watches (the checks ask whether it exists)."""
        student = self.student
        found = self.read(lambda: student.all_metric_alarms) or []
        own = [a for a in found if alarms.belongs_to(a, student.student_id, student.table_name)]
        watched = [a for a in own if any(r.watches(a) for r in alarms.REQUIREMENTS)]
        firsts = dict.fromkeys(topics[0] for a in watched if (topics := alarms.sns_topics(a)))
        self.at_once(*(({11}, functools.partial(student.topic_exists, arn)) for arn in firsts))


def read_ahead(student: StudentResources, tasks: frozenset[int], stop: threading.Event) -> StudentResources:
    """Make the student's reads that the checks of the graded tasks will ask for, each kept by
    StudentResources for the checks (which may already be asking for them: StudentResources makes each
    read once whichever thread asks first), until `stop` is set."""
    _Ahead(student, tasks, stop).everything()
    return student


class Prefetch:
    """Students' resources read ahead, each in a thread of its own, for the checks of the graded tasks:
    the student being graded and up to AHEAD next ones."""

    def __init__(self, tasks: Collection[int]) -> None:
        self._executor = ThreadPoolExecutor(max_workers=AHEAD + 1, thread_name_prefix="prefetch")
        self._ahead: dict[str, StudentResources] = {}
        self._tasks = frozenset(tasks)
        self._stop = threading.Event()

    def take(self, account: Account, student_id: str) -> StudentResources:
        """The student's resources, read ahead when they were, else being read from now (at once: a read
        still under way is waited for by the check that asks for it, within that check's time limit)."""
        self.start(account, student_id)
        return self._ahead.pop(student_id)

    def start(self, account: Account, student_id: str) -> None:
        if student_id not in self._ahead:
            self._ahead[student_id] = StudentResources(account, student_id)
            if not self._stop.is_set():
                self._executor.submit(read_ahead, self._ahead[student_id], self._tasks, self._stop)

    def close(self) -> None:
        """Stop reading ahead (the reads under way end, no other starts) and wait for the threads."""
        self._stop.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

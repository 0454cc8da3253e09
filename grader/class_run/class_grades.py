"""A roster run's grades: each student's written the moment their last check has reported.

pytest runs a student's checks one after another (their session fixtures are parametrized by
student; with -n, xdist's loadgroup gives each student's checks to one worker), so a report for
another student from the same worker means the previous student is done. Their grade.json and page
are written then, and only a summary row (scores per task, no checks) stays for the class summary:
the run's memory does not grow with the class.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from grader.grade import CheckResult, Grade, build_grade
from grader.reports import class_summary, missed_checks
from grader.settings import RosterEntry

Row = dict[str, Any]
"""A student's grade.json document without the checks, plus "causes" (why grading was incomplete)
and "outcomes" (each check's outcome, compact: grader.reports.missed_checks.Outcomes)."""
Written = Callable[[Row, str, float], None]
"""Told of each grade written: the student's summary row, the worker that graded them ('' serially,
or when none did), and when their last check reported (time.monotonic())."""


def summary_row(grade: Grade) -> Row:
    document = grade.to_dict()
    outcomes = missed_checks.outcomes(document)
    for task in document["tasks"]:
        del task["checks"]
    return {**document, "causes": grade.causes(), "outcomes": outcomes}


class ClassGrades:
    """Collects each roster student's check results and writes their grade once they are complete."""

    def __init__(
        self,
        target: str,
        isolation: str,
        directory: Path,
        keep_grades: bool = False,
        on_written: Written | None = None,
    ) -> None:
        self.target = target
        self.isolation = isolation
        self.directory = directory
        self.keep_grades = keep_grades
        """Keep every student's full grade (a class-wide report.html shows every check)."""
        self.grades: dict[str, Grade] = {}
        self._rows: dict[str, Row] = {}
        self.on_written = on_written
        self._open: dict[str, dict[str, CheckResult]] = {}
        self._last: dict[str, tuple[str, float]] = {}
        """Each open student's worker and the time of their latest check's report."""
        self._running: dict[str, str] = {}
        """The student whose checks each worker ('' when serial) reported last."""
        self.streaming = True
        """False when a student's checks may not run in a row: every grade is then written at the end."""

    def add(self, worker: str, student: str, nodeid: str, result: CheckResult) -> None:
        """A check's result; the first failure of a check (in setup, call or teardown) is its result."""
        previous = self._running.get(worker)
        if self.streaming and previous is not None and previous != student:
            self._write(previous)
        self._running[worker] = student
        if student in self._rows:
            raise RuntimeError(f"a check of {student} ran after their grade was written: {nodeid}")
        self._last[student] = (worker, time.monotonic())
        results = self._open.setdefault(student, {})
        if nodeid not in results or result.status != "passed":
            results[nodeid] = result

    def close(self, worker: str) -> None:
        """The worker's student is done (a serial run, after each student): write their grade now."""
        student = self._running.pop(worker, None)
        if self.streaming and student is not None:
            self._write(student)

    def _write(self, student: str) -> None:
        results = self._open.pop(student, {}).values()
        worker, ended = self._last.pop(student, ("", time.monotonic()))
        grade = build_grade(student, self.target, results, isolation=self.isolation)
        class_summary.write_student(grade, self.directory)
        row = self._rows[student] = summary_row(grade)
        if self.keep_grades:
            self.grades[student] = grade
        if self.on_written is not None:
            self.on_written(row, worker, ended)

    def finish(self, roster: Sequence[RosterEntry]) -> list[Row]:
        """Write every grade not yet written (a student none of whose checks ran gets one too, saying so);
        the summary rows in roster order."""
        for entry in roster:
            if entry.student_id not in self._rows:
                self._write(entry.student_id)
        self._running.clear()
        return [self._rows[entry.student_id] for entry in roster]

"""A roster run's progress: one line as each student is done, in place of pytest's dots.

``[ 37/100] c0037   96/100              0.6 s   about 38 s left``: the position of the total, the id,
the score (``incomplete`` when a check could not be graded), the seconds the student took (on their
worker, with -n) and the time left at the class's pace so far. Plain lines, written by pytest's own
terminal writer: the same on a terminal and in a CI log, serial, with -n and in a --shard. With -v
pytest's line per check stays, the student lines among them.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Mapping, Sequence
from typing import Any

import pytest

from grader.reports.text import for_terminal

INCOMPLETE = "incomplete"


def time_left(seconds: float) -> str:
    if seconds < 90:
        return f"about {seconds:.0f} s left"
    return f"about {seconds / 60:.0f} min left"


def progress_line(
    position: int, total: int, width: int, row: Mapping[str, Any], seconds: float, left: str
) -> str:
    """One student's line (row: a grader.class_run.class_grades summary row)."""
    count = len(str(total))
    score = f"{row['score']:g}/{row['max_score']:g}"
    state = "" if row["complete"] else INCOMPLETE
    return (
        f"[{position:>{count}}/{total}] {for_terminal(str(row['student_id'])):<{width}} {score:>7} "
        f"{state:<{len(INCOMPLETE)}} {seconds:>5.1f} s   {left}"
    )


class RosterProgress:
    """The progress of a roster run, on the controller: a plugin that keeps pytest's terminal from
    printing its dots and module paths (unless -v), and writes a line per student."""

    def __init__(self, config: pytest.Config, students: Sequence[str]) -> None:
        self.config = config
        self.total = len(students)
        self.width = max(map(len, students), default=0)
        self.done = 0
        self.started = time.monotonic()
        self._free_since: dict[str, float] = {}
        """When each worker ('' serially) finished its previous student."""

    @property
    def per_check(self) -> bool:
        """-v: pytest's line per check stays."""
        return self.config.get_verbosity(pytest.Config.VERBOSITY_TEST_CASES) > 0

    def pytest_sessionstart(self) -> None:
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None and not self.per_check:
            terminal.showfspath = False

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self) -> Generator[None, object, object]:
        """The class's time starts with its first check (collecting is nobody's)."""
        self.started = time.monotonic()
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> Any:
        """Unless -v, a check's outcome is counted (the summary line) but not printed."""
        status = yield
        if self.per_check or status is None:
            return status
        return status[0], "", ""

    def student_done(self, row: Mapping[str, Any], worker: str, ended: float) -> None:
        """A student's grade is written: their line (ended: when their last check reported)."""
        self.done += 1
        seconds = max(0.0, ended - self._free_since.get(worker, self.started))
        self._free_since[worker] = ended
        elapsed = time.monotonic() - self.started
        remaining = self.total - self.done
        left = time_left(elapsed / self.done * remaining) if remaining > 0 else f"done in {elapsed:.0f} s"
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            terminal.write_line(progress_line(self.done, self.total, self.width, row, seconds, left))

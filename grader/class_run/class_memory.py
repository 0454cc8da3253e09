"""What pytest keeps of each student of a roster run, held constant: its terminal's reports and
node ids, and its session's finalizers of the students' fixtures.

pytest's terminal keeps every report until the end (to count them in its summary line, and to print
the failures), and every node id it reported (to count its progress): over a class that grows with
every student. A roster run prints no tracebacks (``--tb=no`` unless asked: each student's feedback
is in their grade and page, the class table ends the run) and no short summary, so the terminal
needs a report only for its count: each is replaced by one shared stand-in (a pointer each), a
passing setup or teardown (counted nowhere) is dropped, and when a student is done their node ids
become a number. And each time a session fixture is set up again (a student's fixtures, once per
student) pytest keeps one more finalizer of it on the session, holding the check that set it up:
only the latest of each is kept, the others finishing nothing more. pytest offers no hook for any
of this: these are its terminal's and its setup state's own containers.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

COUNTED = pytest.TestReport(nodeid="", location=("", None, ""), keywords={}, outcome="passed",
                            longrepr=None, when="call")  # fmt: skip
"""The stand-in for every report the terminal only counts (it reads nothing else of it)."""


def counts_only(config: pytest.Config) -> bool:
    """True when the terminal will show no report of a check, only their count: the roster defaults
    (no tracebacks, no short summary) and no HTML report of the class, which shows every check."""
    return (
        config.option.tbstyle == "no"
        and config.option.reportchars == "N"
        and not getattr(config.option, "htmlpath", None)
    )


def let_go(config: pytest.Config, report: pytest.TestReport) -> None:
    """Keep nothing of a report the terminal has just counted (after every plugin has seen it)."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    for category, reports in getattr(terminal, "stats", {}).items():
        if reports and reports[-1] is report:
            if category == "":
                reports.pop()
            else:
                reports[-1] = COUNTED
            return


class Progress(set):  # type: ignore[type-arg]
    """The terminal's reported node ids (it counts its progress with len()): the current student's,
    and how many the students before had."""

    def __init__(self, reported: set[Any]) -> None:
        super().__init__(reported)
        self.earlier = 0

    def __len__(self) -> int:
        return self.earlier + super().__len__()

    def next_student(self) -> None:
        self.earlier = len(self)
        self.clear()


def count_progress(config: pytest.Config) -> Progress:
    """A Progress put in place of the terminal's set of reported node ids (when there is a terminal)."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    reported = getattr(terminal, "_progress_nodeids_reported", None)
    progress = Progress(reported if isinstance(reported, set) else set())
    if isinstance(reported, set):
        terminal._progress_nodeids_reported = progress  # type: ignore[union-attr]
    return progress


def forget_earlier_setups(session: pytest.Session) -> None:
    """Of the session's finalizers of each session fixture, keep the latest (pytest's FixtureDef.finish
    finishes the fixture's current value, whichever of them runs first; the others find it finished)."""
    state = getattr(session, "_setupstate", None)
    finalizers = getattr(state, "stack", {}).get(session, ([],))[0]
    seen: set[int] = set()
    kept = []
    for finalizer in reversed(finalizers):
        fixture = _finished_by(finalizer)
        if fixture is None or id(fixture) not in seen:
            kept.append(finalizer)
            seen.add(id(fixture))
    finalizers[:] = reversed(kept)


def _finished_by(finalizer: Any) -> Any:
    """The fixture definition the finalizer finishes (pytest's partial of FixtureDef.finish), or None."""
    if isinstance(finalizer, functools.partial) and getattr(finalizer.func, "__name__", "") == "finish":
        return getattr(finalizer.func, "__self__", None)
    return None

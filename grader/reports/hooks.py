"""Hook specifications of the grader's output formats (docstrings only; see grader/reports/formats.py).

A format is a plugin module that declares its own option in ``pytest_addoption`` and implements
these hooks; it writes nothing unless its option was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from grader.grade import Grade
    from grader.settings import StudentIdError


@dataclass(frozen=True)
class Requested:
    """A format asked for on the command line: its flag, and whether it implies
    --exit-zero-when-graded (a pipeline that reads the score from a file)."""

    flag: str
    exit_zero_when_graded: bool = False


@pytest.hookspec
def pytest_grader_requested(config: pytest.Config) -> Requested | None:
    """Return this format's request when its option was given, else None.

    A format writes one student's grade, so the grader refuses it in a roster run.
    """


@pytest.hookspec
def pytest_grader_graded(config: pytest.Config, grade: Grade, elapsed: float) -> None:
    """Write the grade of a finished single-student run (called once, on the controller)."""


@pytest.hookspec
def pytest_grader_rejected(config: pytest.Config, error: StudentIdError) -> None:
    """The student id is missing or invalid, so nothing was graded: write a zero grade that says
    what to fix, so the platform shows the student a graded answer rather than a crash."""

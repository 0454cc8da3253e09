"""Gradescope's results.json (--gradescope-json): one test per check, points as scored, feedback as output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import TITLE
from grader.grade import Grade
from grader.options import Option, add_option, resolve_path
from grader.reports.files import write_output
from grader.reports.hooks import Requested
from grader.settings import StudentIdError

OPTION = Option(
    "gradescope_json",
    "--gradescope-json",
    "also write the grade as a Gradescope results.json at PATH.",
    metavar="PATH",
)
INCOMPLETE_NOTE = "could not be graded (not your fault; your instructor will regrade): "


def results(grade: Grade, execution_time: float) -> dict[str, Any]:
    """The results.json document (Gradescope accepts passed/failed only: an error shows as failed)."""
    tests = [
        {
            "name": f"Task {task.info.number}: {check.name}",
            "score": check.points,
            "max_score": check.max_points,
            "status": "passed" if check.status == "passed" else "failed",
            "output": INCOMPLETE_NOTE + check.message if check.status == "error" else check.message,
            "visibility": "visible",
        }
        for task in grade.tasks
        for check in task.checks
    ]
    summary = f"{TITLE}: {grade.score:g}/{grade.max_score:g} for student {grade.student_id}."
    if not grade.complete:
        summary += " Grading INCOMPLETE: " + "; ".join(grade.causes())
    return {
        "score": grade.score,
        "execution_time": round(execution_time),
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"student_id": grade.student_id, "complete": grade.complete},
        "tests": tests,
    }


def refusal(reason: str) -> dict[str, Any]:
    """Score 0 and why, for a submission that cannot be graded as anyone's (no usable student id)."""
    return {
        "score": 0,
        "execution_time": 0,
        "output": reason,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"complete": False},
        "tests": [],
    }


def rejection(error: StudentIdError) -> dict[str, Any]:
    """The refusal of a run given a missing or invalid --student-id (on Gradescope the id comes from
    its roster: grader/reports/gradescope_identity.py)."""
    return refusal(
        f"Not graded: {error}. Your student id comes from Gradescope's roster: ask your instructor."
    )


def write(document: dict[str, Any], path: Path) -> None:
    """A results.json document, as Gradescope reads it."""
    write_output(path, json.dumps(document, indent=2) + "\n")


def pytest_addoption(parser: pytest.Parser) -> None:
    add_option(parser, OPTION)


def pytest_grader_requested(config: pytest.Config) -> Requested | None:
    return None if resolve_path(config, OPTION) is None else Requested(OPTION.flag)


def pytest_grader_graded(config: pytest.Config, grade: Grade, elapsed: float) -> None:
    path = resolve_path(config, OPTION)
    if path is not None:
        write(results(grade, elapsed), path)


def pytest_grader_rejected(config: pytest.Config, error: StudentIdError) -> None:
    path = resolve_path(config, OPTION)
    if path is not None:
        write(rejection(error), path)

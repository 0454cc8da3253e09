"""GitHub Classroom's runner result (--github-classroom-result), read by autograding-grading-reporter.

The reporter adds up the tests' ``score`` for the *Points N/M* it sends to GitHub Classroom, but its
console totals count passed tests (passed / tests x max_score). Both agree only when every test is
worth the same, so each check is written as one test per point it is worth: with whole check
weights (grader/grade.py refuses others) every total the reporter prints is the grade's.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import MAX_SCORE
from grader.grade import CheckResult, Grade
from grader.options import Option, add_option, resolve_path
from grader.reports.files import write_output
from grader.reports.hooks import Requested
from grader.settings import StudentIdError

OPTION = Option(
    "github_classroom_result", "--github-classroom-result",
    "also write the GitHub Classroom runner result (JSON) at PATH, and its base64 as output "
    "'result' in $GITHUB_OUTPUT when set.",
    metavar="PATH",
)  # fmt: skip
RUNNER_STATUS = {"passed": "pass", "failed": "fail", "error": "error"}


def runner_result(grade: Grade) -> dict[str, Any]:
    """The runner result: one test per point of every check, so each test is worth 1."""
    status = "error" if not grade.complete else "pass" if grade.all_passed else "fail"
    tests = [
        test for task in grade.tasks for check in task.checks for test in _unit_tests(task.info.number, check)
    ]
    return {"version": 1, "status": status, "max_score": grade.max_score, "tests": tests}


def _unit_tests(task: int, check: CheckResult) -> Iterator[dict[str, Any]]:
    """A check worth N points as N tests of 1 point, placed like the command grader's tests
    (filename, line_no, test_code: the command that runs the check alone)."""
    line, nodeid = check.order
    weight = int(check.max_points)
    status = RUNNER_STATUS[check.status]
    message = check.message
    if check.status == "error":  # the reporter shows an error's message without its name
        message = f"Task {task}, {check.name}: not graded (not your fault): {check.message}"
    command = f"pytest --student-id=<your id> '{nodeid}'"
    for unit in range(1, weight + 1):
        yield {
            "name": f"Task {task}: {check.name}" + (f" ({unit}/{weight})" if weight > 1 else ""),
            "status": status,
            "score": 1 if check.status == "passed" else 0,
            "message": message,
            "filename": nodeid.split("::")[0],
            "line_no": line + 1,
            # the reporter prints test_code under every test, and a failure's message nowhere else
            "test_code": command if status == "pass" or unit > 1 else f"# {_one_line(message)}\n{command}",
        }


def rejection(error: StudentIdError) -> dict[str, Any]:
    """Zero points and why, when the student id (the repository name or login) is unusable."""
    message = f"not graded: {error} (the student id comes from the repository name or your login)"
    test = {"name": "Student id", "status": "error", "score": 0, "message": message,
            "filename": "", "line_no": 0, "test_code": ""}  # fmt: skip
    return {"version": 1, "status": "fail", "max_score": MAX_SCORE, "tests": [test]}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write_runner_result(result: dict[str, Any], path: Path, environ: Mapping[str, str] = os.environ) -> None:
    """Write the runner result, and its base64 as step output 'result' when in GitHub Actions."""
    document = json.dumps(result)
    write_output(path, document + "\n")
    append_outputs(environ, result=base64.b64encode(document.encode()).decode())


def append_outputs(environ: Mapping[str, str], **outputs: str) -> None:
    """Step outputs in $GITHUB_OUTPUT (when set), each on one line."""
    target = environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as out:
        for name, value in outputs.items():
            out.write(f"{name}={_one_line(value)}\n")


def pytest_addoption(parser: pytest.Parser) -> None:
    add_option(parser, OPTION)


def pytest_grader_requested(config: pytest.Config) -> Requested | None:
    return None if resolve_path(config, OPTION) is None else Requested(OPTION.flag)


def pytest_grader_graded(config: pytest.Config, grade: Grade, elapsed: float) -> None:
    path = resolve_path(config, OPTION)
    if path is not None:
        write_runner_result(runner_result(grade), path)


def pytest_grader_rejected(config: pytest.Config, error: StudentIdError) -> None:
    path = resolve_path(config, OPTION)
    if path is not None:
        write_runner_result(rejection(error), path)

"""Classroom 50 (--classroom50): result.json (classroom50/result/v1) and release-body.md in the current
directory, the commit status as step outputs, and exit 0 whenever grading completed.

The runner publishes result.json as the submission's grade and release-body.md as its Release notes
(mirrored to the job summary), and posts the outputs ``status`` / ``summary`` as the commit status.
All three say the grade's own total: the schema wants integers, and check weights are whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import ASSESSMENT, TASKS, TITLE
from grader.grade import Grade, TaskGrade
from grader.options import Option, add_option, resolve
from grader.reports.classroom import append_outputs
from grader.reports.files import write_output
from grader.reports.github import markdown, rejection_markdown
from grader.reports.hooks import Requested
from grader.settings import StudentIdError

OPTION = Option(
    "classroom50", "--classroom50",
    "Classroom 50 contract: write result.json and release-body.md in the current directory and "
    "exit 0 whenever grading completed.",
    default=False, is_flag=True,
)  # fmt: skip
SCHEMA = "classroom50/result/v1"
RESULT_NAME = "result.json"
BODY_NAME = "release-body.md"


def result(grade: Grade, environ: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """One test per task with its points, identity from the runner's environment."""
    return _document([_test(task) for task in grade.tasks], environ, now, grade.student_id)


def _test(task: TaskGrade) -> dict[str, Any]:
    return {
        "test-name": f"Task {task.info.number}: {task.info.title}",
        "passed": task.status == "passed",
        "score": int(task.score),  # whole: grade.py makes a task with fractional weights an error
        "max-score": int(task.info.points),
        "message": feedback(task),
    }


def rejection(error: StudentIdError, environ: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """Zero on every task, each saying why: the student id (USERNAME) is missing or invalid."""
    message = rejection_reason(error)
    tests = [
        {"test-name": f"Task {task.number}: {task.title}", "passed": False, "score": 0,
         "max-score": int(task.points), "message": message}
        for task in TASKS
    ]  # fmt: skip
    return _document(tests, environ, now, error.found or "unknown")


def rejection_reason(error: StudentIdError) -> str:
    """What a Classroom 50 student reads when their GitHub username cannot be their student id."""
    if error.found is None:
        return "Not graded: the runner gave no USERNAME (your GitHub username); ask your instructor."
    return (
        f"Not graded: your username {error.found!r} cannot be a student id here (1-42 letters, digits, "
        "'-' or '_'; it names your table orders-ID). Ask your instructor to grade you under another id."
    )


def _document(
    tests: list[dict[str, Any]], environ: Mapping[str, str], now: datetime, student_id: str
) -> dict[str, Any]:
    """The result/v1 document. Outside the runner (a local try-out) identity fields get
    placeholders; the runner stamps owner, assignment_type, datetime and submitted_by itself."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    commit = environ.get("COMMIT_URL") or "local"
    return {
        "schema": SCHEMA,
        "classroom": environ.get("CLASSROOM") or "local",
        "assignment": environ.get("ASSIGNMENT") or ASSESSMENT,
        "assignment_type": environ.get("ASSIGNMENT_TYPE") or "individual",
        "owner": environ.get("OWNER") or environ.get("USERNAME") or student_id,
        "submission": environ.get("SUBMISSION_TAG") or "submit/local",
        "commit": commit,
        "release": environ.get("RELEASE_URL") or "local",
        "review": environ.get("REVIEW_URL") or commit,
        "datetime": stamp,
        "graded_at": stamp,
        "score": sum(test["score"] for test in tests),
        "max-score": sum(test["max-score"] for test in tests),
        "tests": tests,
    }


def feedback(task: TaskGrade) -> str:
    """The task's failing checks, one line per distinct message (a missing table fails many)."""
    by_message: dict[str, list[str]] = {}
    for check in task.checks:
        if check.status != "passed":
            by_message.setdefault(check.message, []).append(check.name)
    return "\n".join(f"{'; '.join(names)}: {message}" for message, names in by_message.items())


def write(
    document: dict[str, Any], body: str, status: str, directory: Path, environ: Mapping[str, str]
) -> None:
    """result.json and release-body.md in directory; status and summary as step outputs."""
    write_output(directory / RESULT_NAME, json.dumps(document, indent=2) + "\n")
    write_output(directory / BODY_NAME, body)
    summary = f"{TITLE}: {document['score']}/{document['max-score']}"
    if status == "error":
        summary += " (grading incomplete, not published: regrade once the cause is fixed)"
    append_outputs(environ, status=status, summary=summary)


def status_of(grade: Grade) -> str:
    """The commit status: error (incomplete, so the runner publishes no Release), success, failure."""
    return "error" if not grade.complete else "success" if grade.all_passed else "failure"


def _requested(config: pytest.Config) -> bool:
    return bool(resolve(config, OPTION))


def pytest_addoption(parser: pytest.Parser) -> None:
    add_option(parser, OPTION)


def pytest_grader_requested(config: pytest.Config) -> Requested | None:
    return Requested(OPTION.flag, exit_zero_when_graded=True) if _requested(config) else None


def pytest_grader_graded(config: pytest.Config, grade: Grade, elapsed: float) -> None:
    if _requested(config):
        document = result(grade, os.environ, datetime.now(UTC))
        write(document, markdown(grade), status_of(grade), Path.cwd(), os.environ)


def pytest_grader_rejected(config: pytest.Config, error: StudentIdError) -> None:
    if _requested(config):
        document = rejection(error, os.environ, datetime.now(UTC))
        write(document, rejection_markdown(rejection_reason(error)), "failure", Path.cwd(), os.environ)

"""GitHub Classroom's runner result and Classroom 50's result.json + release-body.md."""

from __future__ import annotations

import base64
import json
import math
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.grade import Grade, TaskGrade
from grader.reports.github import markdown
from grader.tasks import ASSESSMENT

RUNNER_STATUS = {"passed": "pass", "failed": "fail", "error": "error"}
CLASSROOM50_SCHEMA = "classroom50/result/v1"


# GitHub Classroom (classic): the JSON the autograding-grading-reporter decodes from <ID>_RESULTS --
def runner_result(grade: Grade) -> dict[str, Any]:
    """One test per check with the points it scored, so the reporter sums partial credit."""
    status = "error" if not grade.complete else "pass" if grade.all_passed else "fail"
    return {
        "version": 1,
        "status": status,
        "max_score": grade.max_score,
        "tests": [
            {
                "name": f"Task {task.info.number}: {check.name}",
                "status": RUNNER_STATUS[check.status],
                "score": check.points,
                "message": check.message,
            }
            for task in grade.tasks
            for check in task.checks
        ],
    }


def write_runner_result(grade: Grade, path: Path, environ: Mapping[str, str] = os.environ) -> None:
    """Write the runner result, and its base64 as step output 'result' when in GitHub Actions."""
    document = json.dumps(runner_result(grade))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document + "\n", encoding="utf-8")
    _append_outputs(environ, result=base64.b64encode(document.encode()).decode())


def _append_outputs(environ: Mapping[str, str], **outputs: str) -> None:
    target = environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as out:
        for name, value in outputs.items():
            out.write(f"{name}={value.replace(chr(10), ' ').replace(chr(13), ' ')}\n")


# Classroom 50: result.json (classroom50/result/v1) and release-body.md in the checkout -----------
def classroom50_result(grade: Grade, environ: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """One test per task (integer points, as the schema requires), identity from the runner's env.

    Outside the Classroom 50 runner (a local try-out) the identity fields get placeholders; the
    runner stamps owner and assignment_type itself.
    """
    tests = [
        {
            "test-name": f"Task {task.info.number}: {task.info.title}",
            "passed": task.status == "passed",
            "score": math.floor(task.score + 1e-9),
            "max-score": math.floor(task.info.points),
            "message": feedback(task),
        }
        for task in grade.tasks
    ]
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    commit = environ.get("COMMIT_URL") or "local"
    return {
        "schema": CLASSROOM50_SCHEMA,
        "classroom": environ.get("CLASSROOM") or "local",
        "assignment": environ.get("ASSIGNMENT") or ASSESSMENT,
        "assignment_type": environ.get("ASSIGNMENT_TYPE") or "individual",
        "owner": environ.get("OWNER") or environ.get("USERNAME") or grade.student_id,
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


def write_classroom50(grade: Grade, directory: Path, environ: Mapping[str, str] = os.environ) -> None:
    """result.json and release-body.md in directory; status and summary as step outputs."""
    result = classroom50_result(grade, environ, datetime.now(UTC))
    (directory / "result.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (directory / "release-body.md").write_text(markdown(grade), encoding="utf-8")
    status = "error" if not grade.complete else "success" if grade.all_passed else "failure"
    summary = f"DynamoDB Medium: {result['score']}/{result['max-score']}"
    _append_outputs(environ, status=status, summary=summary if grade.complete else summary + " (incomplete)")

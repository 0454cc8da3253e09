"""The grade as Markdown: GitHub Actions job summary ($GITHUB_STEP_SUMMARY), release bodies.

Student-controlled text (ids, check messages that quote the student's resources or output) goes
through text.for_markdown, so it reads literally and cannot add links, images, HTML or table cells.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import TITLE
from grader.grade import Grade
from grader.reports.text import for_markdown
from grader.settings import StudentIdError

STATUS_MARK = {"passed": "✅ passed", "partial": "🟡 partial", "failed": "❌ failed", "error": "⚠️ error"}


def markdown(grade: Grade) -> str:
    """Title with the total, one table row per task, then each check that did not pass."""
    student = for_markdown(grade.student_id)
    lines = [
        f"### {TITLE} grade for {student}: {grade.score:g}/{grade.max_score:g}",
        "",
        "| Task | Title | Score | Status |",
        "|---:|---|---:|---|",
    ]
    lines += [
        f"| {task.info.number} | {for_markdown(task.info.title)} | {task.score:g}/{task.info.points:g} "
        f"| {STATUS_MARK[task.status]} |"
        for task in grade.tasks
    ]
    lines += ["", f"**Total: {grade.score:g}/{grade.max_score:g}**"]
    if not grade.complete:
        lines.append("")
        lines += [f"Grading incomplete (not your fault): {for_markdown(cause)}" for cause in grade.causes()]
    feedback = [
        f"- Task {task.info.number}, {for_markdown(check.name)}: {for_markdown(check.message)}"
        for task in grade.tasks
        for check in task.checks
        if check.status != "passed"
    ]
    if feedback:
        lines += ["", "#### What to fix", "", *feedback]
    return "\n".join(lines) + "\n"


def rejection_markdown(reason: str) -> str:
    """Why nothing was graded (the student id is missing or invalid)."""
    return f"### {TITLE}: not graded\n\n{for_markdown(reason)}\n"


def append_step_summary(grade: Grade, environ: Mapping[str, str] = os.environ) -> bool:
    """Append the grade table to the job summary when running in GitHub Actions."""
    return _append(markdown(grade), environ)


def _append(text: str, environ: Mapping[str, str]) -> bool:
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as summary:
        summary.write(text)
    return True


def class_markdown(grades: list[dict[str, Any]]) -> str:
    """A roster run's table: student, total, complete (from grade.json documents)."""
    lines = [
        f"### {TITLE} class grades ({len(grades)} students)",
        "",
        "| Student | Total | Complete |",
        "|---|---:|---|",
    ]
    lines += [
        f"| {for_markdown(str(grade['student_id']))} | {grade['score']:g}/{grade['max_score']:g} "
        f"| {'yes' if grade['complete'] else '⚠️ no'} |"
        for grade in grades
    ]
    return "\n".join(lines) + "\n"


def append_class_summary(grades: list[dict[str, Any]], environ: Mapping[str, str] = os.environ) -> bool:
    """Append the class table to the job summary when running in GitHub Actions."""
    return _append(class_markdown(grades), environ)


# the job summary as an output format: on whenever $GITHUB_STEP_SUMMARY is set ------------------------
def pytest_grader_graded(config: pytest.Config, grade: Grade, elapsed: float) -> None:
    append_step_summary(grade)


def pytest_grader_rejected(config: pytest.Config, error: StudentIdError) -> None:
    _append(rejection_markdown(str(error)), os.environ)

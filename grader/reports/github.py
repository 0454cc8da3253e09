"""The grade as Markdown: GitHub Actions job summary ($GITHUB_STEP_SUMMARY), release bodies."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from grader.grade import Grade

STATUS_MARK = {"passed": "✅ passed", "partial": "🟡 partial", "failed": "❌ failed", "error": "⚠️ error"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(grade: Grade) -> str:
    """Title with the total, one table row per task, then each check that did not pass."""
    lines = [
        f"### DynamoDB Medium grade for {grade.student_id}: {grade.score:g}/{grade.max_score:g}",
        "",
        "| Task | Title | Score | Status |",
        "|---:|---|---:|---|",
    ]
    lines += [
        f"| {task.info.number} | {_cell(task.info.title)} | {task.score:g}/{task.info.points:g} "
        f"| {STATUS_MARK[task.status]} |"
        for task in grade.tasks
    ]
    lines += ["", f"**Total: {grade.score:g}/{grade.max_score:g}**"]
    if not grade.complete:
        lines.append("")
        lines += [f"Grading incomplete (not your fault): {cause}" for cause in grade.causes()]
    feedback = [
        f"- Task {task.info.number}, {check.name}: {check.message}"
        for task in grade.tasks
        for check in task.checks
        if check.status != "passed"
    ]
    if feedback:
        lines += ["", "#### What to fix", "", *feedback]
    return "\n".join(lines) + "\n"


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
        f"### DynamoDB Medium class grades ({len(grades)} students)",
        "",
        "| Student | Total | Complete |",
        "|---|---:|---|",
    ]
    lines += [
        f"| {grade['student_id']} | {grade['score']:g}/{grade['max_score']:g} "
        f"| {'yes' if grade['complete'] else '⚠️ no'} |"
        for grade in grades
    ]
    return "\n".join(lines) + "\n"


def append_class_summary(grades: list[dict[str, Any]], environ: Mapping[str, str] = os.environ) -> bool:
    """Append the class table to the job summary when running in GitHub Actions."""
    return _append(class_markdown(grades), environ)

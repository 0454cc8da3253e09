"""Gradescope's results.json: one test per check, points as scored, feedback in the output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.grade import Grade

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
    summary = f"DynamoDB Medium: {grade.score:g}/{grade.max_score:g} for student {grade.student_id}."
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


def write(grade: Grade, path: Path, execution_time: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results(grade, execution_time), indent=2) + "\n", encoding="utf-8")

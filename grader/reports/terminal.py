"""The per-task table printed at the end of a grading run."""

from __future__ import annotations

from grader.grade import Grade

STATUS_MARK = {"passed": "PASS", "partial": "PART", "failed": "FAIL", "error": "ERROR"}


def render(grade: Grade) -> list[str]:
    """Task rows, each failing check's feedback beneath its task, then the total."""
    lines = [
        f"student {grade.student_id} (target {grade.target})",
        f"{'task':>4}  {'title':<42} {'score':>11}  status",
    ]
    for task in grade.tasks:
        score = f"{task.score:g}/{task.info.points:g}"
        lines.append(f"{task.info.number:>4}  {task.info.title:<42} {score:>11}  {STATUS_MARK[task.status]}")
        if (task.status == "error" and not task.checks) or task.misweighted:
            lines.append(f"{'':>6}! {task.problem}")
        for check in task.checks:
            if check.status != "passed":
                mark = "!" if check.status == "error" else "-"
                lines.append(f"{'':>6}{mark} {check.name}: {check.message}")
    lines.append(
        f"TOTAL {grade.score:g}/{grade.max_score:g}"
        + ("" if grade.complete else "  (INCOMPLETE: some checks could not be graded)")
    )
    for cause in grade.causes():
        lines.append(f"grading incomplete because {cause}")
    return lines

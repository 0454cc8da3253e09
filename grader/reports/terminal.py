"""The per-task table printed at the end of a grading run."""

from __future__ import annotations

from grader.grade import Grade

STATUS_MARK = {"passed": "PASS", "partial": "PART", "failed": "FAIL", "error": "ERROR"}
MARK = {"failed": "-", "error": "!"}


def render(grade: Grade) -> list[str]:
    """Task rows, each failed check's feedback beneath its task, then the total.

    A check that could not be graded is counted under its task; its cause is said once, at the end.
    """
    causes = grade.causes()
    lines = [
        f"student {grade.student_id} (target {grade.target})",
        f"{'task':>4}  {'title':<42} {'score':>11}  status",
    ]
    for task in grade.tasks:
        score = f"{task.score:g}/{task.info.points:g}"
        lines.append(f"{task.info.number:>4}  {task.info.title:<42} {score:>11}  {STATUS_MARK[task.status]}")
        lines += [f"{'':>6}{MARK[status]} {text}" for status, text in task.feedback(causes)]
    lines.append(
        f"TOTAL {grade.score:g}/{grade.max_score:g}"
        + ("" if grade.complete else "  (INCOMPLETE: some checks could not be graded)")
    )
    for number, cause in enumerate(causes, 1):
        lines.append(f"grading incomplete, cause {number}: {cause}")
    return lines

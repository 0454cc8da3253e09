"""The per-task table printed at the end of a grading run, and a roster run's class lines.

Every piece of text a student could have influenced goes through text.for_terminal: one printable
line, so a message can neither colour the terminal, move its cursor, nor fake a line of the grade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from grader.grade import Grade
from grader.reports import missed_checks
from grader.reports.text import for_terminal

STATUS_MARK = {"passed": "PASS", "partial": "PART", "failed": "FAIL", "error": "ERROR"}
MARK = {"failed": "-", "error": "!"}
NAMED = 8
"""Students named under a most missed check in the terminal (the class page names them all)."""


def render(grade: Grade) -> list[str]:
    """Task rows, each failed check's feedback beneath its task, then the total.

    A check that could not be graded is counted under its task; its cause is said once, at the end.
    """
    causes = grade.causes()
    lines = [
        f"student {for_terminal(grade.student_id)} (target {for_terminal(grade.target)})",
        f"{'task':>4}  {'title':<42} {'score':>11}  status",
    ]
    for task in grade.tasks:
        score = f"{task.score:g}/{task.info.points:g}"
        lines.append(f"{task.info.number:>4}  {task.info.title:<42} {score:>11}  {STATUS_MARK[task.status]}")
        lines += [f"{'':>6}{MARK[status]} {for_terminal(text)}" for status, text in task.feedback(causes)]
    lines.append(
        f"TOTAL {grade.score:g}/{grade.max_score:g}"
        + ("" if grade.complete else "  (INCOMPLETE: some checks could not be graded)")
    )
    for number, cause in enumerate(causes, 1):
        lines.append(f"grading incomplete, cause {number}: {for_terminal(cause)}")
    return lines


def render_class(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """One line per student of a roster run (from grader.class_run.class_grades rows): total, and why grading
    was incomplete when it was."""
    lines = []
    for row in rows:
        state = "" if row["complete"] else "  INCOMPLETE: " + "; ".join(map(for_terminal, row["causes"]))
        lines.append(f"{for_terminal(row['student_id']):<42} {row['score']:>6g}/{row['max_score']:g}{state}")
    return lines


def render_missed(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The checks the most students of a roster run failed: task, check, N of M students (those not
    graded on it apart), the commonest message, and who."""
    lines = []
    for missed in missed_checks.most_missed(rows):
        task, name = missed.check
        failed = len(missed.students)
        apart = f", {missed.not_graded} not graded" if missed.not_graded else ""
        named = ", ".join(map(for_terminal, missed.students[:NAMED]))
        more = f" and {failed - NAMED} more" if failed > NAMED else ""
        lines += [
            f"T{task:<3} {for_terminal(name)}: {failed} of {missed.graded} students{apart}",
            f"{'':>6}{for_terminal(missed.message)}",
            f"{'':>6}{named}{more}",
        ]
    return lines or ["no student failed a check"]

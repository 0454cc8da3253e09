"""The grade summary placed at the top of the pytest-html report."""

from __future__ import annotations

from html import escape

from grader.grade import Grade

STYLE = (
    "<style>.grade td,.grade th{padding:2px 8px;text-align:left;vertical-align:top}"
    ".grade .passed{color:#186a1b}.grade .partial{color:#8a5a00}"
    ".grade .failed,.grade .error{color:#a31515}</style>"
)


def summary(grade: Grade) -> str:
    """Student, total, completeness, and one row per task with its checks' feedback."""
    rows = []
    causes = grade.causes()
    for task in grade.tasks:
        notes = [escape(text) for _, text in task.feedback(causes)]
        rows.append(
            f"<tr class='task-row'><td>{task.info.number}</td><td>{escape(task.info.title)}</td>"
            f"<td>{task.score:g}/{task.info.points:g}</td>"
            f"<td class='{task.status}'>{task.status}</td><td>{'<br>'.join(notes)}</td></tr>"
        )
    state = (
        "complete"
        if grade.complete
        else "INCOMPLETE: "
        + "; ".join(f"cause {number}: {escape(cause)}" for number, cause in enumerate(causes, 1))
    )
    return (
        f"{STYLE}<div class='grade' id='grade-summary'><h2>Grade for "
        f"<span id='grade-student'>{escape(grade.student_id)}</span>: "
        f"<span id='grade-total'>{grade.score:g}/{grade.max_score:g}</span></h2>"
        f"<p>target {escape(grade.target)}; grading {state}</p><table>"
        "<tr><th>Task</th><th>Title</th><th>Score</th><th>Status</th><th>Feedback</th></tr>"
        + "".join(rows)
        + "</table></div>"
    )

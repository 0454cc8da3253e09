"""The class summary's list of who could not be graded at all (their account could not be entered, say),
and why: a block of its own in the terminal and on the class page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from grader.grade import incomplete_causes
from grader.reports.text import for_html, for_terminal

Document = Mapping[str, Any]
"""A student's grade.json document, or a roster run's summary row of it (with "causes")."""


def causes(grade: Document) -> list[str]:
    """Why grading was incomplete: the row's causes, else the document's, found as Grade.causes finds them."""
    if "causes" in grade:
        return list(grade["causes"])
    return incomplete_causes(
        (
            task["status"],
            task.get("problem", ""),
            [check["message"] for check in task.get("checks", ()) if check["status"] == "error"],
        )
        for task in grade["tasks"]
    )


def not_graded(grades: Iterable[Document]) -> list[tuple[str, list[str]]]:
    """(student id, causes) of each student none of whose tasks could be graded."""
    return [
        (str(grade["student_id"]), causes(grade))
        for grade in grades
        if grade["tasks"] and all(task["status"] == "error" for task in grade["tasks"])
    ]


def terminal_lines(grades: Iterable[Document]) -> list[str]:
    """'could not be graded (N):' and a line per such student; nothing when every student was graded."""
    students = not_graded(grades)
    if not students:
        return []
    lines = [f"could not be graded ({len(students)}):"]
    lines += [f"  {for_terminal(student)}: {'; '.join(map(for_terminal, why))}" for student, why in students]
    return lines


def html_section(grades: Iterable[Document]) -> str:
    """The class page's 'Could not be graded' list; empty when every student was graded."""
    students = not_graded(grades)
    if not students:
        return ""
    items = "".join(
        f"<li data-student='{name}'><a href='{name}/report.html'>{name}</a>: {reasons}</li>"
        for name, reasons in ((for_html(student), "; ".join(map(for_html, why))) for student, why in students)
    )
    return f"<h2>Could not be graded</h2><ul id='not-graded'>{items}</ul>"

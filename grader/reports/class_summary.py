"""A whole class: one grade file and page per student, the class CSV and a sortable HTML page."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

from grader.grade import Grade
from grader.reports import grade_json, html
from grader.tasks import TASKS

CSV_NAME = "class-summary.csv"
HTML_NAME = "class-summary.html"
GRADE_NAME = "grade.json"
REPORT_NAME = "report.html"
COLUMNS = ["student_id", "score", "max_score", *(f"task_{task.number}" for task in TASKS), "complete"]

SORT_SCRIPT = """<script>
document.querySelectorAll('#class-summary th').forEach((th, column) => {
  th.addEventListener('click', () => {
    const body = th.closest('table').tBodies[0];
    const descending = th.dataset.order !== 'desc';
    th.dataset.order = descending ? 'desc' : 'asc';
    const key = row => row.cells[column].dataset.sort ?? row.cells[column].textContent;
    const rows = [...body.rows].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const order = isNaN(x) || isNaN(y) ? x.localeCompare(y) : x - y;
      return descending ? -order : order;
    });
    body.append(...rows);
  });
});
</script>"""


def write_student(grade: Grade, directory: Path) -> None:
    """DIR/<student>/grade.json and DIR/<student>/report.html (the grade summary as a page)."""
    folder = directory / grade.student_id
    grade_json.write(grade, folder / GRADE_NAME)
    (folder / REPORT_NAME).write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>DynamoDB Medium grade: {escape(grade.student_id)}</title></head><body>"
        f"{html.summary(grade)}<p><a href='../{HTML_NAME}'>class summary</a></p></body></html>\n",
        encoding="utf-8",
    )


def load_grades(directory: Path) -> list[dict[str, Any]]:
    """Every DIR/<student>/grade.json, by student id."""
    grades = [json.loads(path.read_text(encoding="utf-8")) for path in directory.glob(f"*/{GRADE_NAME}")]
    return sorted(grades, key=lambda grade: grade["student_id"])


def row(grade: dict[str, Any]) -> dict[str, Any]:
    """One CSV row of a grade.json document."""
    return {
        "student_id": grade["student_id"],
        "score": grade["score"],
        "max_score": grade["max_score"],
        **{f"task_{task['task']}": task["score"] for task in grade["tasks"]},
        "complete": grade["complete"],
    }


def write_class(grades: Iterable[dict[str, Any]], directory: Path) -> None:
    """DIR/class-summary.csv and DIR/class-summary.html, one row per student, by student id."""
    ordered = sorted(grades, key=lambda grade: grade["student_id"])
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / CSV_NAME).open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(row(grade) for grade in ordered)
    (directory / HTML_NAME).write_text(class_page(ordered), encoding="utf-8")


def class_page(grades: list[dict[str, Any]]) -> str:
    """The sortable class table (click a header); each student links to their report."""
    head = "".join(f"<th title='{escape(task.title)}'>T{task.number} /{task.points:g}</th>" for task in TASKS)
    body = []
    for grade in grades:
        student = escape(grade["student_id"])
        tasks = "".join(f"<td class='{task['status']}'>{task['score']:g}</td>" for task in grade["tasks"])
        complete = "yes" if grade["complete"] else "INCOMPLETE"
        body.append(
            f"<tr><td><a href='{student}/{REPORT_NAME}'>{student}</a></td>"
            f"<td data-sort='{grade['score']:g}'>{grade['score']:g}/{grade['max_score']:g}</td>"
            f"{tasks}<td>{complete}</td></tr>"
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>DynamoDB Medium class summary</title><style>"
        "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
        "th{cursor:pointer;text-align:left}.partial{color:#8a5a00}.failed,.error{color:#a31515}"
        "</style></head><body>"
        f"<h1>DynamoDB Medium class summary: <span id='class-count'>{len(grades)}</span> students</h1>"
        "<p>Click a column header to sort; click a student for their report.</p>"
        f"<table id='class-summary'><thead><tr><th>Student</th><th>Total</th>{head}<th>Complete</th>"
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>{SORT_SCRIPT}</body></html>\n"
    )

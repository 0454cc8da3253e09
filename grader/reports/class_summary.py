"""A whole class: one grade file and page per student, the class CSV and a sortable HTML page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

from grader.assessment import TASKS, TITLE
from grader.grade import Grade
from grader.reports import grade_json, html, missed_checks, not_graded
from grader.reports.files import write_output
from grader.reports.text import for_html

CSV_NAME = "class-summary.csv"
HTML_NAME = "class-summary.html"
GRADE_NAME = "grade.json"
REPORT_NAME = "report.html"
COLUMNS = ["student_id", "score", "max_score", *(f"task_{task.number}" for task in TASKS), "complete"]
"""The CSV's first columns; one per check follows ("T1: <check name>": passed, failed or not graded)."""

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
    page = html.page(grade, footer=f"<p><a href='../{HTML_NAME}'>class summary</a></p>")
    write_output(folder / REPORT_NAME, page)


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
    """DIR/class-summary.csv and DIR/class-summary.html, one row per student, by student id (from
    summary rows or grade.json documents)."""
    ordered = sorted(grades, key=lambda grade: grade["student_id"])
    checks = missed_checks.class_checks(ordered)
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=[*COLUMNS, *map(missed_checks.check_column, checks)])
    writer.writeheader()
    writer.writerows({**row(grade), **missed_checks.csv_cells(grade, checks)} for grade in ordered)
    write_output(directory / CSV_NAME, table.getvalue())
    write_output(directory / HTML_NAME, class_page(ordered))


HISTOGRAM_BINS = [*(f"{low}–{low + 9}" for low in range(0, 100, 10)), "100"]
"""Scores as a percentage of the maximum, in tenths; full marks a bin of its own."""
TASK_OUTCOMES = ("passed", "partial", "failed", "error")


def score_bin(grade: dict[str, Any]) -> int:
    """The histogram bin of a grade.json document."""
    share = 100 * grade["score"] / grade["max_score"] if grade["max_score"] else 0
    return min(int(share // 10), len(HISTOGRAM_BINS) - 1)


def histogram(grades: list[dict[str, Any]]) -> str:
    """How many students scored in each tenth of the maximum, as columns."""
    counts = [0] * len(HISTOGRAM_BINS)
    for grade in grades:
        counts[score_bin(grade)] += 1
    tallest = max(counts, default=0) or 1
    columns = "".join(
        f"<div class='bin' data-bin='{label}' data-count='{count}'><span class='count'>{count or ''}</span>"
        f"<span class='column' style='height:{100 * count / tallest:.0f}%'></span>"
        f"<span class='label'>{label}</span></div>"
        for label, count in zip(HISTOGRAM_BINS, counts, strict=True)
    )
    return (
        "<h2>Scores</h2><p>Students per tenth of the maximum score (percent).</p>"
        f"<div class='histogram' id='score-histogram'>{columns}</div>"
    )


def task_rates(grades: list[dict[str, Any]]) -> str:
    """Per task: how many students have full marks, part, none, or could not be graded, and the mean."""
    rows = []
    for task in TASKS:
        results = [grade["tasks"][task.number - 1] for grade in grades]
        counts = {outcome: sum(r["status"] == outcome for r in results) for outcome in TASK_OUTCOMES}
        rate = 100 * counts["passed"] / len(results) if results else 0
        mean = sum(r["score"] for r in results) / len(results) if results else 0
        cells = "".join(f"<td class='num {outcome}'>{counts[outcome]}</td>" for outcome in TASK_OUTCOMES)
        rows.append(
            f"<tr class='task-rate' data-task='{task.number}'><td class='num'>{task.number}</td>"
            f"<td>{escape(task.title)}</td><td class='num'>{rate:.0f}%</td>"
            f"<td><span class='rate'><span style='width:{rate:.0f}%'></span></span></td>{cells}"
            f"<td class='num'>{mean:.1f}/{task.points:g}</td></tr>"
        )
    return (
        "<h2>Tasks</h2><table id='task-rates'><thead><tr><th>Task</th><th>Title</th><th>Full marks</th>"
        "<th></th><th>Passed</th><th>Partial</th><th>Failed</th><th>Not graded</th><th>Mean</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def most_missed(grades: list[dict[str, Any]]) -> str:
    """The checks failed by the most students: how many of those graded on it, how many it could not
    be graded for (apart), the commonest message, and who failed it (linked to their pages)."""
    rows = []
    for missed in missed_checks.most_missed(grades):
        task, name = missed.check
        failed = len(missed.students)
        students = ", ".join(f"<a href='{s}/{REPORT_NAME}'>{s}</a>" for s in map(for_html, missed.students))
        rows.append(
            f"<tr class='missed' data-task='{task}' data-failed='{failed}'><td class='num'>{task}</td>"
            f"<td>{for_html(name)}</td><td class='num'>{failed} of {missed.graded} students</td>"
            f"<td class='num error'>{missed.not_graded or ''}</td><td>{for_html(missed.message)}</td>"
            f"<td class='students'>{students}</td></tr>"
        )
    if not rows:
        return "<h2>Most missed checks</h2><p id='most-missed'>No student failed a check.</p>"
    return (
        "<h2>Most missed checks</h2><p>The checks failed by the most students "
        f"(at most {missed_checks.SHOWN}); a check that could not be graded for a student is counted "
        "apart, not as a miss.</p>"
        "<table id='most-missed'><thead><tr><th>Task</th><th>Check</th><th>Failed by</th><th>Not graded</th>"
        f"<th>Most common message</th><th>Students</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


CLASS_STYLE = """<style>
body{font-family:Helvetica,Arial,sans-serif;color:#1f2328;font-size:14px;max-width:1200px}
table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}
td.num{text-align:right}#class-summary th{cursor:pointer}
.partial{color:#8a5a00}.failed,.error{color:#a31515}
.histogram{display:flex;align-items:flex-end;gap:6px;height:160px;border-bottom:1px solid #999;
margin-bottom:32px}
.bin{display:flex;flex-direction:column;justify-content:flex-end;align-items:center;height:100%;width:56px}
.bin .column{display:block;width:100%;background:#0969da;border-radius:3px 3px 0 0}
.bin .label{font-size:12px;color:#59636e;position:relative;top:18px;height:0}
.rate{display:inline-block;width:120px;height:10px;background:#eaeef2;border-radius:5px;overflow:hidden}
.rate>span{display:block;height:100%;background:#2da44e}
h2{margin-top:1.6em}
#most-missed td{vertical-align:top}#most-missed td.num{white-space:nowrap}
#most-missed .students{max-width:360px}
</style>"""


def class_page(grades: list[dict[str, Any]]) -> str:
    """For the instructor: a histogram of totals, per-task pass rates, the most missed checks, and the
    sortable class table (click a header); each student links to their report."""
    head = "".join(f"<th title='{escape(task.title)}'>T{task.number} /{task.points:g}</th>" for task in TASKS)
    body = []
    for grade in grades:
        student = for_html(str(grade["student_id"]))
        tasks = "".join(
            f"<td class='{for_html(task['status'])}'>{task['score']:g}</td>" for task in grade["tasks"]
        )
        complete = "yes" if grade["complete"] else "INCOMPLETE"
        body.append(
            f"<tr><td><a href='{student}/{REPORT_NAME}'>{student}</a></td>"
            f"<td data-sort='{grade['score']:g}'>{grade['score']:g}/{grade['max_score']:g}</td>"
            f"{tasks}<td>{complete}</td></tr>"
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{TITLE} class summary</title>{CLASS_STYLE}</head><body>"
        f"<h1>{TITLE} class summary: <span id='class-count'>{len(grades)}</span> students</h1>"
        f"{not_graded.html_section(grades)}{histogram(grades)}{task_rates(grades)}{most_missed(grades)}"
        "<h2>Students</h2><p>Click a column header to sort; click a student for their report.</p>"
        f"<table id='class-summary'><thead><tr><th>Student</th><th>Total</th>{head}<th>Complete</th>"
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>{SORT_SCRIPT}</body></html>\n"
    )

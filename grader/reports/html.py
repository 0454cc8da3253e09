"""The grade as a student reads it in HTML: a grade card, then run details for the instructor.

The card (student, total, one row per task with a score bar and its status, each failing message
once, what could not be graded, the passing checks folded) opens the pytest-html report; the run
details (target, isolation, duration, Python, packages, and pytest-html's own per-check table) close
it. A roster run's per-student page is the same card on a page of its own. Every piece of text a
student could have influenced goes through text.for_html.
"""

from __future__ import annotations

import functools
import platform
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from grader.assessment import TITLE
from grader.grade import CheckResult, Grade, TaskGrade
from grader.reports.text import for_html

STATUS_LABEL = {"passed": "passed", "partial": "partial", "failed": "failed", "error": "not graded"}
PACKAGES = ("pytest", "pytest-html", "pytest-xdist", "boto3", "botocore", "moto")
"""The packages whose versions the run details name."""
REPORT_ID = "grader-report"
ENGINE_ID = "pytest-html-details"
"""Where pytest-html's own header, filters and per-check table are moved (LAYOUT_SCRIPT)."""

STYLE = """<style>
#grader-report{color:#1f2328;font-size:14px;line-height:1.45;max-width:1100px}
#grader-report h2{font-size:20px;margin:.4em 0 .2em}
#grader-report h3{font-size:16px;color:#1f2328;margin:1.2em 0 .4em}
#grader-report p{color:inherit;margin:.3em 0}
.grade-card{margin-bottom:2em}
#grade-total,.grade-total{font-size:28px;font-weight:bold}
.grade-tasks{border-collapse:collapse;margin-top:.6em}
.grade-tasks th,.grade-tasks td{padding:3px 10px;text-align:left;border-bottom:1px solid #d8dee4}
.grade-tasks td.num{text-align:right}
.bar{display:inline-block;width:160px;height:10px;background:#eaeef2;border-radius:5px;overflow:hidden}
.bar>span{display:block;height:100%}
.card-bar{width:420px;height:14px;border-radius:7px}
.status-passed{color:#1a7f37}.status-partial{color:#9a6700}.status-failed{color:#cf222e}
.status-error{color:#6639ba}
.bar>.status-passed{background:#2da44e}.bar>.status-partial{background:#d4a72c}
.bar>.status-failed{background:#cf222e}.bar>.status-error{background:#8250df}
.fixes>li,.causes>li{margin-bottom:.8em}
.fix-checks{margin:0;padding:0;list-style:none}
.message{background:#fff8f8;border-left:3px solid #cf222e;padding:4px 8px;white-space:pre-wrap}
.causes .message{background:#fbf8ff;border-left-color:#8250df}
.points{color:#59636e}
details>summary{cursor:pointer;font-weight:bold;margin:.8em 0 .4em}
.run-details th,.run-details td{padding:2px 10px;text-align:left;vertical-align:top}
.filters input:is([data-test-result=xfailed],[data-test-result=xpassed],[data-test-result=rerun],
[data-test-result=retried]),.filters input:is([data-test-result=xfailed],[data-test-result=xpassed],
[data-test-result=rerun],[data-test-result=retried])+span{display:none}
</style>"""

LAYOUT_SCRIPT = """<script>
document.addEventListener('DOMContentLoaded', () => {
  // The grade first, right under the title; pytest-html's own parts into the run details at the end.
  document.getElementById('title').after(document.getElementById('grader-report'));
  document.querySelectorAll('#environment-header, #environment').forEach((part) => part.remove());
  const engine = document.getElementById('pytest-html-details');
  engine.append(document.querySelector('body > p'), document.querySelector('body > .summary'),
                document.getElementById('results-table'));
  engine.querySelector('.summary h2').textContent = 'Every check as pytest ran it';
});
</script>"""


def _bar(points: float, max_points: float, status: str, extra_class: str = "") -> str:
    share = 100 * points / max_points if max_points else 0
    return (
        f"<span class='bar {extra_class}' role='img' aria-label='{points:g} of {max_points:g} points'>"
        f"<span class='status-{status}' style='width:{share:.1f}%'></span></span>"
    )


def _check_line(task: TaskGrade, check: CheckResult) -> str:
    return (
        f"Task {task.info.number} · {for_html(check.name)} "
        f"<span class='points'>({check.points:g}/{check.max_points:g})</span>"
    )


def _overall(grade: Grade) -> str:
    """The whole grade's status, in the words a task's status uses."""
    if not grade.complete:
        return "error"
    return "passed" if grade.all_passed else "partial" if grade.score else "failed"


def _state(grade: Grade) -> str:
    if not grade.complete:
        return (
            "Grading is incomplete: some checks could not be graded, which is not your fault (see "
            "below). The total counts only what was graded; your instructor will grade again."
        )
    return "Every check passed: full marks." if grade.all_passed else "Every task was graded."


def _task_rows(grade: Grade, causes: list[str]) -> str:
    rows = []
    for task in grade.tasks:
        notes = [for_html(text) for kind, text in task.feedback(causes) if kind == "error"]
        status = "; ".join(notes) or STATUS_LABEL[task.status]  # '2 checks not graded (cause 1)'
        passed = sum(check.status == "passed" for check in task.checks)
        rows.append(
            f"<tr class='task-row' data-status='{task.status}'><td class='num'>{task.info.number}</td>"
            f"<td>{for_html(task.info.title)}</td><td class='num'>{task.score:g}/{task.info.points:g}</td>"
            f"<td>{_bar(task.score, task.info.points, task.status)}</td>"
            f"<td class='num'>{passed}/{len(task.checks)}</td>"
            f"<td class='status-{task.status}'>{status}</td></tr>"
        )
    return (
        "<table class='grade-tasks'><thead><tr><th>Task</th><th>Title</th><th>Score</th><th></th>"
        f"<th>Checks passed</th><th>Status</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _fixes(grade: Grade) -> str:
    """Each failing message once, under the checks that failed with it."""
    by_message: dict[str, list[str]] = {}
    for task in grade.tasks:
        for check in task.checks:
            if check.status == "failed":
                by_message.setdefault(check.message, []).append(_check_line(task, check))
    if not by_message:
        return ""
    items = "".join(
        f"<li class='fix'><ul class='fix-checks'>{''.join(f'<li>{line}</li>' for line in lines)}</ul>"
        f"<p class='message'>{for_html(message)}</p></li>"
        for message, lines in by_message.items()
    )
    return f"<h3>What to fix ({len(by_message)})</h3><ol class='fixes'>{items}</ol>"


def _not_graded(causes: list[str]) -> str:
    if not causes:
        return ""
    items = "".join(f"<li><p class='message'>{for_html(cause)}</p></li>" for cause in causes)
    return (
        "<h3>Not graded (not your fault)</h3><p>The grader could not check some of your work, for "
        f"{'this reason' if len(causes) == 1 else 'these reasons'}:</p><ol class='causes'>{items}</ol>"
    )


def _passing(grade: Grade) -> str:
    lines = [
        _check_line(task, check) for task in grade.tasks for check in task.checks if check.status == "passed"
    ]
    if not lines:
        return ""
    items = "".join(f"<li>{line}</li>" for line in lines)
    return (
        f"<details class='passing'><summary>Passing checks ({len(lines)})</summary><ul>{items}</ul></details>"
    )


def summary(grade: Grade, ids: bool = True) -> str:
    """The grade card: student and total, the task table, what to fix, what was not graded, and
    the passing checks folded. ids: name the student and total by id (the document's only card)."""
    causes = grade.causes()

    def named(name: str) -> str:
        return f"id='{name}'" if ids else f"class='{name}'"

    return (
        f"<section class='grade-card' id='grade-of-{for_html(grade.student_id)}'>"
        f"<h2>Grade for <span {named('grade-student')}>{for_html(grade.student_id)}</span>: "
        f"<span {named('grade-total')}>{grade.score:g}/{grade.max_score:g}</span></h2>"
        f"{_bar(grade.score, grade.max_score, _overall(grade), 'card-bar')}"
        f"<p class='grade-state'>{_state(grade)}</p>"
        f"{_task_rows(grade, causes)}{_fixes(grade)}{_not_graded(causes)}{_passing(grade)}</section>"
    )


@functools.cache  # the same for every page a run writes (a roster's: one a student)
def _versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def run_details(grades: Iterable[Grade], duration: float | None = None, engine: bool = False) -> str:
    """For the instructor, folded: where and how the grade was made. With engine, a place for
    pytest-html's own header, filters and per-check table (moved there by LAYOUT_SCRIPT)."""
    grades = list(grades)
    rows = {
        "Student" + "s" * (len(grades) != 1): ", ".join(grade.student_id for grade in grades),
        "Target": ", ".join(dict.fromkeys(grade.target for grade in grades)),
        "Isolation of student code": ", ".join(
            dict.fromkeys(getattr(grade, "isolation", "none") for grade in grades)
        ),
        "Duration": "" if duration is None else f"{duration:.1f} s",
        "Generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "Platform": platform.platform(),
        "Packages": _versions(),
    }
    table = "".join(
        f"<tr><th>{name}</th><td>{for_html(value)}</td></tr>" for name, value in rows.items() if value
    )
    return (
        "<details class='run-details' id='run-details'><summary>Run details (for your instructor)</summary>"
        f"<table>{table}</table>{f'<div id={ENGINE_ID!r}></div>' if engine else ''}</details>"
    )


def report_prefix(grades: Iterable[Grade], duration: float) -> str:
    """What the grader adds to the pytest-html report: the cards and the run details, and the
    script that puts them first and folds pytest-html's own parts into the run details."""
    grades = list(grades)
    cards = "".join(summary(grade, ids=len(grades) == 1) for grade in grades)
    details = run_details(grades, duration, engine=True)
    return f"{STYLE}<div id='{REPORT_ID}'>{cards}{details}</div>{LAYOUT_SCRIPT}"


# pytest-html's per-check table, in the run details ------------------------------------------------
CHECK_HEADERS = ["<th>Task</th>", "<th>Check</th>", "<th>Points</th>"]
"""Columns added after pytest-html's Result column; the message is in the grade card only."""
WORKER_LINE = re.compile(r"^\[gw\d+\] .*\n?", re.MULTILINE)
"""pytest-xdist's '[gw1] linux -- Python 3.11.7 /path/to/python' heading of a worker's failure."""


def check_cells(result: CheckResult | None) -> list[str]:
    """The added cells of a check's row (empty for a pytest item that is not a check)."""
    if result is None:
        return ["<td></td>"] * len(CHECK_HEADERS)
    return [
        f"<td>{result.task}</td>",
        f"<td>{for_html(result.name)}</td>",
        f"<td>{result.points:g}/{result.max_points:g}</td>",
    ]


def result_cell(result: CheckResult) -> str:
    """pytest-html's Result cell, in the grade's words ('Not graded', not 'Failed', for an error)."""
    return f"<td class='col-result'>{STATUS_LABEL[result.status].capitalize()}</td>"


def instructor_log(lines: list[str], root: Path) -> list[str]:
    """pytest-html's log of an item that is not a check (a collection error, say): without xdist's
    worker line, and with paths inside the project shown relative to it."""
    return [WORKER_LINE.sub("", line).replace(f"{root}/", "") for line in lines]


def page(grade: Grade, footer: str = "") -> str:
    """The grade card and run details as a page of its own; footer is trusted HTML (a link)."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{TITLE} grade: {for_html(grade.student_id)}</title>{STYLE}</head><body>"
        f"<div id='{REPORT_ID}'>{summary(grade)}{run_details([grade])}{footer}</div></body></html>\n"
    )

"""The HTML grade card, pytest-html's table cells and the class page, read without a browser."""

from __future__ import annotations

import re
from pathlib import Path

from grader.assessment import TASKS
from grader.grade import CheckResult, Grade, build_grade
from grader.reports import class_summary, html

MISSING_ALARM = "no read-throttling alarm of yours; expected one. Create it."
DENIED = "the grader is not allowed to call dynamodb:ListTagsOfResource (AccessDeniedException)"


def check(task: int, name: str, status: str = "passed", points: float = 1, message: str = "") -> CheckResult:
    return CheckResult(task, name, status, points, message, (len(name), name))  # type: ignore[arg-type]


def grade_with(*results: CheckResult, student_id: str = "alice") -> Grade:
    """Every task full marks from one passing check, except for the points the given checks carry."""
    fillers = []
    for task in TASKS:
        rest = task.points - sum(result.max_points for result in results if result.task == task.number)
        if rest:
            fillers.append(check(task.number, f"task {task.number} basics", points=rest))
    return build_grade(student_id, "moto", [*fillers, *results])


PARTIAL = grade_with(
    check(11, "read-throttling alarm fires", "failed", 2, MISSING_ALARM),
    check(11, "read-throttling alarm notifies", "failed", 2, MISSING_ALARM),
    check(1, "tag Environment", "error", 1, DENIED),
    check(1, "tag Application", "error", 1, DENIED),
    check(
        9, "batch_get_orders returns the orders", "failed", 2, "it raised ValueError; expected the orders."
    ),
)


def test_each_failing_message_once_under_the_checks_it_failed() -> None:
    card = html.summary(PARTIAL)
    assert card.count(html.for_html(MISSING_ALARM)) == 1
    fixes = re.findall(r"<li class='fix'>.*?</li></ul><p class='message'>(.*?)</p></li>", card)
    assert fixes == [
        html.for_html("it raised ValueError; expected the orders."),
        html.for_html(MISSING_ALARM),
    ]
    alarm_fix = card[card.index("read-throttling alarm fires") : card.index(html.for_html(MISSING_ALARM))]
    assert "read-throttling alarm notifies" in alarm_fix and "Task 11" in alarm_fix


def test_each_cause_once_and_counted_under_its_task() -> None:
    card = html.summary(PARTIAL)
    assert card.count(DENIED) == 1
    row = re.search(r"<tr class='task-row' data-status='error'>.*?</tr>", card)
    assert (
        row and "2 checks not graded (cause 1)" in row.group(0) and "<td class='num'>1</td>" in row.group(0)
    )
    assert "Not graded (not your fault)" in card and "Grading is incomplete" in card


def test_task_rows_carry_score_bar_and_status() -> None:
    card = html.summary(PARTIAL)
    rows = re.findall(r"<tr class='task-row' data-status='(\w+)'>(.*?)</tr>", card)
    assert [status for status, _ in rows] == [task.status for task in PARTIAL.tasks]
    widths = [float(re.search(r"width:([\d.]+)%", row).group(1)) for _, row in rows]  # type: ignore[union-attr]
    assert widths == [round(100 * t.score / t.info.points, 1) for t in PARTIAL.tasks]
    assert widths[10] == 50.0 and widths[0] == 80.0


def test_passing_checks_are_folded_and_listed_once() -> None:
    card = html.summary(PARTIAL)
    folded = re.search(
        r"<details class='passing'><summary>Passing checks \((\d+)\)</summary>(.*?)</details>", card
    )
    passing = [c for t in PARTIAL.tasks for c in t.checks if c.status == "passed"]
    assert folded and int(folded.group(1)) == len(passing) == folded.group(2).count("<li>")


def test_full_marks_say_so_and_have_nothing_to_fix() -> None:
    card = html.summary(grade_with())
    assert "Every check passed: full marks." in card
    assert "What to fix" not in card and "Not graded" not in card


def test_one_card_names_student_and_total_by_id_many_cards_by_class() -> None:
    assert "<span id='grade-student'>alice</span>" in html.summary(PARTIAL)
    prefix = html.report_prefix([PARTIAL, grade_with(student_id="bob")], duration=1.5)
    assert "id='grade-student'" not in prefix and prefix.count("class='grade-student'") == 2
    assert prefix.index("grader-report") < prefix.index("run-details") and "1.5 s" in prefix


def test_pytest_html_table_cells_without_the_message() -> None:
    failed = check(9, "batch <get>", "failed", 2, "the message")
    assert html.check_cells(failed) == ["<td>9</td>", "<td>batch &lt;get&gt;</td>", "<td>0/2</td>"]
    assert html.check_cells(None) == ["<td></td>"] * len(html.CHECK_HEADERS)
    assert html.result_cell(check(1, "x", "error")) == "<td class='col-result'>Not graded</td>"


def test_instructor_log_drops_worker_line_and_project_paths() -> None:
    root = Path("/home/ci/grader")
    log = ["[gw1] linux -- Python 3.11.7 /home/ci/grader/.venv/bin/python\nE   ImportError at "
           "/home/ci/grader/tests_assessment/test_x.py:3\n"]  # fmt: skip
    assert html.instructor_log(log, root) == ["E   ImportError at tests_assessment/test_x.py:3\n"]


def test_class_page_histogram_and_task_rates() -> None:
    grades = [
        grade_with(student_id="full").to_dict(),
        PARTIAL.to_dict(),  # 92/100
        build_grade(
            "nobody", "moto", [check(t.number, "x", "failed", t.points, "m") for t in TASKS]
        ).to_dict(),
    ]
    page = class_summary.class_page(grades)
    bins = dict(re.findall(r"data-bin='([^']+)' data-count='(\d+)'", page))
    assert bins == {**dict.fromkeys(class_summary.HISTOGRAM_BINS, "0"), "0–9": "1", "90–99": "1", "100": "1"}
    rates = re.findall(r"<tr class='task-rate' data-task='(\d+)'>(.*?)</tr>", page)
    counts = {int(n): re.findall(r"<td class='num (\w+)'>(\d+)</td>", row) for n, row in rates}
    assert counts[1] == [("passed", "1"), ("partial", "0"), ("failed", "1"), ("error", "1")]
    assert counts[11] == [("passed", "1"), ("partial", "1"), ("failed", "1"), ("error", "0")]
    assert counts[2] == [("passed", "2"), ("partial", "0"), ("failed", "1"), ("error", "0")]
    assert "<td class='num'>67%</td>" in rates[1][1] and "5.3/8" in rates[1][1]

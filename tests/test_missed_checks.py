"""The class's most missed checks: failures counted, "not graded" apart, most first, with the commonest
message and who; one CSV column per check; the same from summary rows and from grade.json files."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.class_run.class_grades import summary_row
from grader.grade import CheckResult, Grade, build_grade
from grader.reports import class_summary, missed_checks, terminal

TAG = "tag StudentID is set as required"
ACTIVE = "table orders-ID exists and is ACTIVE"
BILLING = "billing mode is on-demand (PAY_PER_REQUEST)"


def grade(student: str, **statuses: str) -> Grade:
    """A grade with three checks of task 1: tag, active, billing (passed unless said otherwise)."""
    messages = {
        "tag": f"tag StudentID=someone; expected StudentID={student}. Tag the table",
        "active": f"table orders-{student} is CREATING; expected ACTIVE",
        "billing": "billing mode is PROVISIONED",
    }
    names = {"tag": TAG, "active": ACTIVE, "billing": BILLING}
    results = []
    for line, check in enumerate(("active", "billing", "tag")):
        status = statuses.get(check, "passed")
        message = "AccessDenied for the grader" if status == "error" else messages[check]
        message = message if status != "passed" else ""
        results.append(CheckResult(1, names[check], status, 2, message, (line, check)))  # type: ignore[arg-type]
    return build_grade(student, "moto", results)


def klass() -> list[Grade]:
    return [
        grade("amy", tag="failed", active="failed"),
        grade("ben", tag="failed"),
        grade("cat", tag="failed", active="error"),
        grade("dan", active="error", billing="error"),
        grade("eve"),
    ]


def test_most_missed_counts_failures_apart_from_not_graded_most_first() -> None:
    rows = [summary_row(each) for each in klass()]
    ranked = missed_checks.most_missed(rows)
    assert [missed.check for missed in ranked] == [(1, TAG), (1, ACTIVE)], "billing was never failed"
    tag, active = ranked
    assert (tag.students, tag.graded, tag.not_graded) == (["amy", "ben", "cat"], 5, 0)
    assert (active.students, active.graded, active.not_graded) == (["amy"], 3, 2)
    assert tag.message == "tag StudentID=someone; expected StudentID=ID. Tag the table", "one message for all"
    assert active.message == "table orders-ID is CREATING; expected ACTIVE"
    lines = terminal.render_missed(rows)
    assert lines[0] == f"T1   {TAG}: 3 of 5 students"
    assert lines[3] == f"T1   {ACTIVE}: 1 of 3 students, 2 not graded"
    assert lines[5].strip() == "amy"


def test_no_miss_says_so() -> None:
    rows = [summary_row(grade("eve")), summary_row(grade("dan", tag="error"))]
    assert missed_checks.most_missed(rows) == []
    assert terminal.render_missed(rows) == ["no student failed a check"]


def test_a_long_message_is_shortened() -> None:
    text = "x" * 500
    assert len(missed_checks.shortened(text)) == missed_checks.MESSAGE_LIMIT
    assert missed_checks.shortened(text).endswith("…")


def test_outcomes_are_compact_and_shared_between_students() -> None:
    """A row keeps a letter per check, the failed checks' messages (shortened, shared when equal), and
    one check list for the class; none of the checks' dicts."""
    amy, ben = (summary_row(each) for each in klass()[:2])
    assert amy["outcomes"].checks is ben["outcomes"].checks
    assert amy["outcomes"].codes == "FPF" and ben["outcomes"].codes == "PPF"
    assert amy["outcomes"].messages[1] is ben["outcomes"].messages[0]
    assert all("checks" not in task for task in amy["tasks"])


def test_class_csv_has_a_column_per_check(tmp_path: Path) -> None:
    class_summary.write_class([summary_row(each) for each in klass()], tmp_path)
    with (tmp_path / class_summary.CSV_NAME).open() as table:
        rows = list(csv.DictReader(table))
    columns = [f"T1: {ACTIVE}", f"T1: {BILLING}", f"T1: {TAG}"]
    assert list(rows[0]) == [*class_summary.COLUMNS, *columns]
    assert [row[columns[0]] for row in rows] == ["failed", "passed", "not graded", "not graded", "passed"]
    assert [row[columns[2]] for row in rows] == ["failed", "failed", "failed", "passed", "passed"]


def test_class_page_lists_most_missed_with_links(tmp_path: Path) -> None:
    class_summary.write_class([summary_row(each) for each in klass()], tmp_path)
    page = (tmp_path / class_summary.HTML_NAME).read_text()
    table = page.split("<table id='most-missed'>")[1].split("</table>")[0]
    assert table.count("<tr class='missed'") == 2
    assert table.index(TAG) < table.index(ACTIVE)
    assert "3 of 5 students" in table and "1 of 3 students" in table
    assert "<a href='amy/report.html'>amy</a>, <a href='ben/report.html'>ben</a>" in table
    assert "dan/report.html" not in table, "not graded is no miss"


def test_grade_files_give_the_same_summary_as_rows(tmp_path: Path) -> None:
    """grader-merge reads grade.json files; a roster run keeps summary rows: the same CSV and page."""
    grades = klass()
    class_summary.write_class([summary_row(each) for each in grades], tmp_path / "rows")
    class_summary.write_class([each.to_dict() for each in grades], tmp_path / "files")
    for name in (class_summary.CSV_NAME, class_summary.HTML_NAME):
        assert (tmp_path / "rows" / name).read_text() == (tmp_path / "files" / name).read_text()


def test_the_order_of_the_rows_changes_nothing() -> None:
    """A roster run lists its rows in roster order, grader-merge by id: equal counts of two messages
    name the same one either way, and the students come by id."""
    rows = [summary_row(grade("zed", tag="failed")), summary_row(grade("amy", tag="failed", active="failed"))]
    rows[1]["outcomes"] = missed_checks.Outcomes(
        rows[1]["outcomes"].checks, rows[1]["outcomes"].codes, ("active wrong", "another tag message")
    )
    assert terminal.render_missed(rows) == terminal.render_missed(rows[::-1])
    assert missed_checks.most_missed(rows)[0].students == ["amy", "zed"]
    assert missed_checks.most_missed(rows)[0].message == "another tag message"

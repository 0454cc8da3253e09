"""Hygiene at the HTML and terminal writers: a student's text is written inert, never crashes a writer,
and one student's bad text never costs another student's grade."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from grader.assessment import TASKS
from grader.class_run.class_grades import summary_row
from grader.grade import CheckResult, build_grade
from grader.reports import class_summary, html, terminal
from tests import harness

HOSTILE = "bad \ud800 text \x1b[31mred\x1b[0m <b>bold</b>\r\nTOTAL 100/100 \x07\x1b]0;pwned\x07"
"""A lone surrogate (no encoder takes it), colours, markup, a faked terminal line, a bell, a title."""
SHOWN_HTML = "bad \ufffd text red &lt;b&gt;bold&lt;/b&gt;\nTOTAL 100/100 "
SHOWN_TERMINAL = "bad \ufffd text red <b>bold</b> TOTAL 100/100 "
HOSTILE_SOURCE = "bad \\ud800 text \\x1b[31mred\\x1b[0m <b>bold</b>\\r\\nTOTAL 100/100 \\x07"
"""The same text as Python source, for a submission that raises it."""
TASK9 = "tests_assessment/test_task09_batch_operations.py"
SOLUTION = harness.PROJECT_ROOT / "solution"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile_grade(student_id: str = "mallory") -> object:
    """Task 9's checks fail with the hostile text; one task-1 check could not be graded because of it."""
    results = [
        CheckResult(t.number, f"task {t.number}", "passed", t.points - (t.number in (1, 9)) * 2, "", (0, ""))
        for t in TASKS
    ]
    results += [
        CheckResult(9, "batch get " + HOSTILE, "failed", 2, HOSTILE, (1, "a")),
        CheckResult(1, "tags", "error", 2, "grader bug: KeyError: " + HOSTILE, (1, "b")),
    ]
    return build_grade(student_id, "moto", results)


def test_html_writes_hostile_text_inert_and_encodable() -> None:
    for document in (html.summary(hostile_grade()), html.page(hostile_grade())):  # type: ignore[arg-type]
        document.encode("utf-8")  # raises on a lone surrogate
        assert SHOWN_HTML in document and "<b>bold" not in document and "pwned" not in document
        assert not CONTROL.search(document.replace("\n", "")), repr(CONTROL.search(document))


def test_terminal_writes_one_printable_line_per_row() -> None:
    grade = hostile_grade()
    lines = terminal.render(grade)  # type: ignore[arg-type]
    assert len(lines) == 2 + 13 + 2 + 1 + 1  # header, tasks, a failure and a not-graded line, total, cause
    rows = [summary_row(grade)] * 2  # type: ignore[arg-type]
    for line in [*lines, *terminal.render_class(rows)]:
        line.encode("utf-8")
        assert not CONTROL.search(line) and "\n" not in line and "pwned" not in line, repr(line)
    assert sum(SHOWN_TERMINAL in line for line in lines) == 2  # the check's failure and the cause
    assert [line for line in lines if line.startswith("TOTAL")] == [
        "TOTAL 96/100  (INCOMPLETE: some checks could not be graded)"
    ]


def test_a_bad_student_page_does_not_stop_the_next(tmp_path: Path) -> None:
    grades = [hostile_grade("mallory"), build_grade("bob", "moto", [])]
    for grade in grades:
        class_summary.write_student(grade, tmp_path)  # type: ignore[arg-type]
    class_summary.write_class([grade.to_dict() for grade in grades], tmp_path)  # type: ignore[attr-defined]
    assert SHOWN_HTML in (tmp_path / "mallory" / class_summary.REPORT_NAME).read_text(encoding="utf-8")
    assert (tmp_path / "bob" / class_summary.REPORT_NAME).read_text(encoding="utf-8").count("task-row") == 13
    assert "bob/report.html" in (tmp_path / class_summary.HTML_NAME).read_text(encoding="utf-8")
    table = (tmp_path / class_summary.CSV_NAME).read_text(encoding="utf-8")
    assert f"T9: batch get {SHOWN_TERMINAL}" in table.splitlines()[0]  # a check's column: one printable line
    assert not CONTROL.search(table.replace("\r\n", ""))


def hostile_submission(directory: Path) -> Path:
    """The reference solution, except that batch_operations.py raises the hostile text."""
    shutil.copytree(SOLUTION, directory, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "batch_operations.py").write_text(
        f"def batch_get_orders(order_keys):\n    raise ValueError('{HOSTILE_SOURCE}')\n\n\n"
        f"def batch_update_status(order_keys, new_status):\n    raise ValueError('{HOSTILE_SOURCE}')\n"
    )
    return directory


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_grading_run_with_hostile_text_writes_report_and_clean_terminal(
    workers: list[str], moto_endpoint: str, tmp_path: Path
) -> None:
    """Serial, and with xdist (whose workers send each result to the controller as UTF-8)."""
    student_id = harness.new_student_id("hostile")
    submission = hostile_submission(tmp_path / "submission")
    run = harness.grade_on(
        moto_endpoint, student_id, tmp_path, f"--submission-dir={submission}", TASK9, *workers
    )
    assert run.grade is not None and run.task(9)["status"] == "failed", run.output  # only task 9 graded
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert report.count(SHOWN_HTML.split("\n")[0]) == 2, "both raising checks' messages, once each"
    assert "\x1b" not in run.output and "\\x1b" not in run.output and "\\ud800" not in run.output, run.output
    grade_section = run.output[run.output.index(" grade ==") :].splitlines()
    assert sum(SHOWN_TERMINAL in line for line in grade_section) == 2, run.output
    assert not [line for line in run.output.splitlines() if line.startswith("TOTAL 100/100")]


def test_roster_grades_every_student_after_a_hostile_one(moto_endpoint: str, tmp_path: Path) -> None:
    students = [harness.new_student_id("mallory"), harness.new_student_id("bob")]
    submission = hostile_submission(tmp_path / "submission")
    roster = tmp_path / "roster.csv"
    roster.write_text(f"student_id,submission_dir\n{students[0]},{submission}\n{students[1]},{SOLUTION}\n")
    grades = tmp_path / "grades"
    run = harness.run_grader(
        tmp_path, f"--roster={roster}", "--target=localstack", f"--endpoint-url={moto_endpoint}",
        f"--grades-dir={grades}", TASK9,
    )  # fmt: skip
    for student in students:
        assert (grades / student / class_summary.REPORT_NAME).stat().st_size > 0, run.output
    bob = json.loads((grades / students[1] / class_summary.GRADE_NAME).read_text())
    assert bob["tasks"][8]["status"] == "passed", run.output
    assert SHOWN_HTML.split("\n")[0] in (grades / students[0] / class_summary.REPORT_NAME).read_text()
    assert (grades / class_summary.HTML_NAME).read_text().count("<tr><td><a href=") == 2
    assert (tmp_path / "report.html").stat().st_size > 0 and "\x1b" not in run.output, run.output

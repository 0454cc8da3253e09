"""A roster run writes each student's grade as soon as their checks are done, and keeps only a row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.class_run.class_grades import ClassGrades
from grader.grade import CheckResult
from grader.reports.class_summary import GRADE_NAME
from grader.settings import RosterEntry

ROSTER = (RosterEntry("alice"), RosterEntry("bob"), RosterEntry("carol"))


def result(status: str = "passed") -> CheckResult:
    return CheckResult(1, "table exists", status, 2)  # type: ignore[arg-type]


def written(directory: Path) -> set[str]:
    return {path.parent.name for path in directory.glob(f"*/{GRADE_NAME}")}


def test_a_students_grade_is_written_when_the_next_student_starts(tmp_path: Path) -> None:
    grades = ClassGrades("moto", "namespaces", tmp_path)
    grades.add("", "alice", "t[alice]", result())
    assert written(tmp_path) == set()
    grades.add("", "bob", "t[bob]", result("failed"))
    assert written(tmp_path) == {"alice"}
    assert grades._open.keys() == {"bob"}, "alice's results are not kept once written"
    rows = grades.finish(ROSTER)
    assert written(tmp_path) == {"alice", "bob", "carol"}
    assert [row["student_id"] for row in rows] == ["alice", "bob", "carol"]
    assert "checks" not in rows[0]["tasks"][0] and rows[0]["tasks"][0]["score"] == 2
    assert rows[2]["complete"] is False and rows[2]["causes"], "no check of carol ran: incomplete, saying why"
    alice = json.loads((tmp_path / "alice" / GRADE_NAME).read_text())
    assert alice["tasks"][0]["checks"][0]["status"] == "passed"


def test_each_worker_is_followed_on_its_own(tmp_path: Path) -> None:
    grades = ClassGrades("moto", "namespaces", tmp_path)
    grades.add("gw0", "alice", "t[alice]", result())
    grades.add("gw1", "bob", "t[bob]", result())
    grades.add("gw0", "alice", "u[alice]", result())
    assert written(tmp_path) == set()
    grades.add("gw0", "carol", "t[carol]", result())
    assert written(tmp_path) == {"alice"}


def test_a_failure_in_teardown_is_the_checks_result(tmp_path: Path) -> None:
    grades = ClassGrades("moto", "namespaces", tmp_path)
    grades.add("", "alice", "t[alice]", result())
    grades.add("", "alice", "t[alice]", result("error"))
    grades.add("", "alice", "t[alice]", result())
    assert grades.finish(ROSTER[:1])[0]["complete"] is False


def test_not_streaming_writes_everything_at_the_end(tmp_path: Path) -> None:
    grades = ClassGrades("moto", "namespaces", tmp_path)
    grades.streaming = False
    grades.add("gw0", "alice", "t[alice]", result())
    grades.add("gw0", "bob", "t[bob]", result())
    grades.add("gw0", "alice", "u[alice]", result("failed"))
    assert written(tmp_path) == set()
    assert [row["score"] for row in grades.finish(ROSTER[:2])] == [2, 2]


def test_a_check_after_its_students_grade_is_refused(tmp_path: Path) -> None:
    grades = ClassGrades("moto", "namespaces", tmp_path)
    grades.add("", "alice", "t[alice]", result())
    grades.add("", "bob", "t[bob]", result())
    with pytest.raises(RuntimeError, match="alice"):
        grades.add("", "alice", "u[alice]", result())


def test_each_written_grade_is_told_with_its_worker_and_last_report(tmp_path: Path) -> None:
    """What a roster run's progress line is made of: the row, the worker, when the student's last check
    reported; serially a student is closed (written) as soon as their last check is done."""
    told: list[tuple[str, str, float]] = []
    grades = ClassGrades("moto", "namespaces", tmp_path, on_written=lambda row, worker, ended: told.append(
        (row["student_id"], worker, ended)))  # fmt: skip
    grades.add("", "alice", "t[alice]", result())
    grades.close("")
    assert [entry[:2] for entry in told] == [("alice", "")] and written(tmp_path) == {"alice"}
    grades.add("gw1", "bob", "t[bob]", result("failed"))
    grades.add("gw1", "bob", "u[bob]", result())
    grades.add("gw1", "carol", "t[carol]", result())
    assert [entry[:2] for entry in told] == [("alice", ""), ("bob", "gw1")]
    grades.finish(ROSTER)
    assert [entry[:2] for entry in told] == [("alice", ""), ("bob", "gw1"), ("carol", "gw1")]
    assert told[0][2] <= told[1][2] <= told[2][2]

"""The grade model: points, task statuses, completeness, order independence, exit codes."""

from __future__ import annotations

import random

import pytest

from grader.assessment import ASSESSMENT, MAX_SCORE, TASKS, TaskInfo
from grader.grade import CheckResult, build_grade
from grader.plugin import exit_code
from grader.reports import html, terminal

TWO_TASKS = (TaskInfo(1, "one", 4), TaskInfo(2, "two", 2))


def check(task: int, name: str, status: str, points: float, line: int = 0) -> CheckResult:
    return CheckResult(task=task, name=name, status=status, max_points=points,
                       message="" if status == "passed" else f"{name} {status}",
                       order=(line, f"t{task}::{name}"))


def test_scores_and_statuses() -> None:
    grade = build_grade("alice", "moto", [
        check(1, "a", "passed", 3, 1), check(1, "b", "failed", 1, 2),
        check(2, "c", "failed", 2, 1)], TWO_TASKS)
    assert [(t.score, t.status) for t in grade.tasks] == [(3, "partial"), (0, "failed")]
    assert (grade.score, grade.max_score, grade.complete) == (3, 6, True)
    assert exit_code(grade.complete, grade.all_passed, exit_zero_when_graded=False) == 1
    assert exit_code(grade.complete, grade.all_passed, exit_zero_when_graded=True) == 0


def test_an_error_makes_the_task_and_grade_incomplete_never_a_failure() -> None:
    grade = build_grade("alice", "aws", [
        check(1, "a", "passed", 3), check(1, "b", "error", 1), check(2, "c", "passed", 2)],
        TWO_TASKS)
    assert grade.tasks[0].status == "error"
    assert grade.complete is False
    assert grade.causes() == ["b error"]
    assert exit_code(grade.complete, grade.all_passed, exit_zero_when_graded=True) == 6


def test_a_task_without_checks_or_with_misweighted_checks_is_an_error() -> None:
    grade = build_grade("alice", "aws", [check(1, "a", "passed", 3)], TWO_TASKS)
    assert [t.status for t in grade.tasks] == ["error", "error"]
    assert "do not add up" in grade.tasks[0].problem
    assert grade.tasks[1].problem == "no check of this task ran"


def test_all_passed_exits_zero() -> None:
    grade = build_grade("alice", "aws", [check(1, "a", "passed", 4), check(2, "c", "passed", 2)],
                        TWO_TASKS)
    assert grade.all_passed
    assert exit_code(grade.complete, grade.all_passed, exit_zero_when_graded=False) == 0


def test_order_of_arrival_does_not_change_the_grade() -> None:
    results = [check(1, n, "passed" if i % 2 else "failed", 1, i) for i, n in enumerate("abcd")]
    results += [check(2, "e", "passed", 2)]
    expected = build_grade("alice", "aws", results, TWO_TASKS).to_dict()
    for seed in range(5):
        shuffled = results[:]
        random.Random(seed).shuffle(shuffled)
        assert build_grade("alice", "aws", shuffled, TWO_TASKS).to_dict() == expected


def test_grade_json_shape_matches_the_spec() -> None:
    grade = build_grade("alice", "moto", [], TASKS).to_dict()
    assert list(grade) == ["assessment", "student_id", "target", "isolation", "complete", "score",
                           "max_score", "tasks"]
    assert grade["assessment"] == ASSESSMENT and grade["max_score"] == MAX_SCORE
    assert [t["task"] for t in grade["tasks"]] == [task.number for task in TASKS]
    assert set(grade["tasks"][0]) >= {"task", "title", "score", "max_score", "status", "checks"}


@pytest.mark.parametrize("status", ["passed", "failed", "error"])
def test_check_result_round_trips_through_json(status: str) -> None:
    result = check(3, "x", status, 2, 7)
    assert CheckResult.from_json(result.to_json()) == result


def test_terminal_table_says_each_cause_once_and_groups_repeated_feedback() -> None:
    cause = "the grader found no AWS credentials"
    missing = "query_gsi.py is not in the submission directory"
    grade = build_grade("alice", "aws", [
        CheckResult(1, "a", "error", 2, cause, (1, "a")),
        CheckResult(1, "b", "error", 2, cause, (2, "b")),
        CheckResult(2, "c", "failed", 1, missing, (1, "c")),
        CheckResult(2, "d", "failed", 1, missing, (2, "d")),
    ], TWO_TASKS)
    text = "\n".join(terminal.render(grade))
    assert text.count(cause) == 1 and text.count(missing) == 1, text
    assert "2 checks not graded (cause 1)" in text and f"2 checks: {missing}" in text
    assert f"grading incomplete, cause 1: {cause}" in text
    page = html.summary(grade)
    assert page.count(cause) == 1 and "cause 1" in page

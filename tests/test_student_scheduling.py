"""The units xdist schedules together: a roster student's checks, one student's checks of their files."""

from __future__ import annotations

import pytest

from grader.class_run.student_scheduling import STUDENT_CODE, all_placed, code_files, code_unit, student_of

STUDENTS = frozenset({"alice", "bob-2", "bob"})


@pytest.mark.parametrize(
    ("nodeid", "student"),
    [
        ("tests_assessment/test_task01_table.py::test_composite_key[alice]", "alice"),
        ("tests_assessment/test_task01_table.py::test_tag[alice-Environment]", "alice"),
        ("tests_assessment/test_task01_table.py::test_tag[Environment-alice]", "alice"),
        ("tests_assessment/test_task01_table.py::test_tag[bob-2-Environment]", None),  # bob, or bob-2?
        ("tests_assessment/test_task01_table.py::test_composite_key[bob-2]", None),
        ("tests_assessment/test_task01_table.py::test_composite_key[bob]", "bob"),
        ("tests_assessment/test_task01_table.py::test_composite_key[carol]", None),
        ("tests_assessment/test_task01_table.py::test_composite_key", None),
        ("tests_assessment/test_x.py::TestA[alice]::test_b", None),
    ],
)
def test_student_of(nodeid: str, student: str | None) -> None:
    assert student_of(nodeid, STUDENTS) == student


def test_all_placed_only_when_every_check_names_one_student() -> None:
    ids = ["m.py::t[alice]", "m.py::t[alice-Environment]"]
    assert all_placed(ids, STUDENTS)
    assert not all_placed([*ids, "m.py::t[bob-2]"], STUDENTS)


def test_code_files_are_the_modules_of_the_tasks_that_run_the_students_files() -> None:
    assert code_files() == {
        "test_task05_gsi_query.py",
        "test_task06_lsi_query.py",
        "test_task08_lambda.py",
        "test_task09_batch_operations.py",
        "test_task12_conditional_writes.py",
        "test_task13_read_patterns.py",
    }


def test_a_students_code_checks_are_one_unit() -> None:
    unit = code_unit(frozenset({"test_task05_gsi_query.py"}))
    assert unit("tests_assessment/test_task05_gsi_query.py::test_query[x]") == STUDENT_CODE
    assert unit("tests_assessment/test_task05_gsi_query.py::test_live") == STUDENT_CODE
    assert unit("tests_assessment/test_task01_table.py::test_composite_key") is None

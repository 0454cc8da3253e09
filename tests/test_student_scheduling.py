"""Which roster student a check's node id names, for xdist's scheduling of a roster run."""

from __future__ import annotations

import pytest

from grader.student_scheduling import all_placed, student_of

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

"""Points are verified when the grading suite is collected: each mistake is a usage error naming it."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from grader.assessment import TASKS
from grader.collection import problems, suite_modules
from grader.suite import GRADING_SUITE
from tests import project_copy

TASK13 = "test_task13_read_patterns.py"


def module(task: int | None, **checks: object) -> ModuleType:
    """A grading module of the task (None: no task marker) holding the given test functions."""
    made = ModuleType("toy")
    if task is not None:
        made.pytestmark = [pytest.mark.task(task).mark]  # type: ignore[attr-defined]
    vars(made).update(checks)
    return made


def check(points: float | None, *params: object, argnames: str = "x") -> object:
    def test_x(x: object = None) -> None:
        """a toy check"""

    marked = test_x
    if params:
        marked = pytest.mark.parametrize(argnames, params)(marked)
    return pytest.mark.points(points)(marked) if points is not None else marked


def suite(**replacing: ModuleType) -> dict[str, ModuleType]:
    """The real grading suite, with some modules replaced or added by file name."""
    return {**suite_modules(GRADING_SUITE, GRADING_SUITE.parent), **replacing}


def test_the_grading_suite_agrees_with_the_assessment() -> None:
    assert problems(suite()) == []


def test_a_task_whose_points_do_not_add_up_names_the_modules_and_the_numbers() -> None:
    found = problems(suite(**{TASK13: module(13, test_a=check(2), test_b=check(1))}))
    assert found == [f"task 13: its checks' points add up to 3 ({TASK13} 3); grader/assessment.py declares 4"]


def test_parametrized_cases_count_once_each_with_their_own_points() -> None:
    cases = check(None, *(pytest.param(n, marks=pytest.mark.points(n)) for n in (3, 1)))
    assert problems(suite(**{TASK13: module(13, test_a=cases)})) == []
    three = check(1, "a", "b", "c")
    assert problems(suite(**{TASK13: module(13, test_a=three, test_b=check(1))})) == []
    assert problems(suite(**{TASK13: module(13, test_a=three)}))  # 3 of 4 points


@pytest.mark.parametrize(
    "points, expected",
    [(None, "test_x has no points"), (0, "test_x has points 0"), (1.5, "1.5: points per check are whole")],
)
def test_a_check_without_whole_positive_points_is_named(points: float | None, expected: str) -> None:
    found = problems(suite(**{TASK13: module(13, test_a=check(4), test_x=check(points))}))
    assert any(line.startswith(f"{TASK13}::") and expected in line for line in found), found


def test_a_module_without_a_declared_task_is_named() -> None:
    assert problems(suite(**{"test_extra.py": module(None, test_x=check(1))})) == [
        "test_extra.py has no task marker: add pytestmark = pytest.mark.task(N)"
    ]
    assert problems(suite(**{"test_extra.py": module(99, test_x=check(1))})) == [
        "test_extra.py is marked task 99, which grader/assessment.py does not declare"
    ]


def test_a_declared_task_without_a_module_is_named() -> None:
    modules = suite()
    del modules[TASK13]
    declared = TASKS[-1].points
    assert problems(modules) == [f"task 13: its checks' points add up to 0 (no module); "
                                 f"grader/assessment.py declares {declared}"]  # fmt: skip


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_misweighted_suite_stops_the_run_before_any_aws_call(tmp_path: Path, workers: list[str]) -> None:
    project = project_copy.copy_project(tmp_path / "project")
    task13 = project / "tests_assessment" / TASK13
    task13.write_text(task13.read_text().replace("@pytest.mark.points(2)", "@pytest.mark.points(3)"))
    run = project_copy.run_pytest(project, "--student-id=alice", "--target=localstack",
                                  "--endpoint-url=http://127.0.0.1:9", *workers)  # fmt: skip
    assert run.exit_code == 4, run.output
    assert f"task 13: its checks' points add up to 5 ({TASK13} 5)" in run.output, run.output
    assert "declares 4" in run.output and "Traceback" not in run.output and run.grade is None, run.output

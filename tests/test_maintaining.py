"""docs/maintaining.md, carried out: each recipe adds a toy task 14 (or a format) to a copy and grades it."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.assessment import MAX_SCORE
from tests import harness, project_copy

pytestmark = pytest.mark.long

GUIDE = "docs/maintaining.md"
LAST_TASK = '    TaskInfo(13, "Read consistency patterns", 4),\n'
LIVE_TASK = '''"""Task 14 (toy): the table has a sort key."""

from __future__ import annotations

import pytest

from grader.failures import require
from grader.aws.views import TableView

pytestmark = pytest.mark.task(14)


@pytest.mark.points(2)
def test_table_has_a_sort_key(table: TableView) -> None:
    """table has a sort key"""
    ranges = [name for name, key_type, _ in table.keys if key_type == "RANGE"]
    require(ranges, "the table has no sort key", "a RANGE key", "Recreate the table with one")
'''
CODE_TASK = '''"""Task 14 (toy): count_orders.py counts the orders with a Scan."""

from __future__ import annotations

import pytest

from grader import assessment
from grader.failures import require
from grader.sandbox import judging
from grader.sandbox.record import Record

pytestmark = pytest.mark.task(14)


@pytest.mark.points(2)
def test_counts_the_orders(count_orders_run: Record) -> None:
    """count_orders.py scans the table and prints how many orders it holds"""
    step = count_orders_run.step("run")
    require(
        step.calls_of("Scan") and str(assessment.SEED_COUNT) in step.stdout,
        f"its calls: {judging.calls_summary(step)}; it printed {judging.show_lines(step)}",
        f"a Scan, and {assessment.SEED_COUNT} printed",
        "Scan with Select='COUNT' and print the Count",
    )
'''
SECOND_CHECK = '''

@pytest.mark.points(1)
def test_table_has_a_partition_key(table: TableView) -> None:
    """table has a partition key"""
    require(table.keys, "no key", "a HASH key", "Recreate the table with one")
'''
COUNT_ORDERS = '''"""Task 14 (toy): how many orders the table holds."""

import os

import boto3

TABLE_NAME = os.environ.get("ORDERS_TABLE") or f"orders-{os.environ['STUDENT_ID']}"
print(boto3.client("dynamodb").scan(TableName=TABLE_NAME, Select="COUNT")["Count"])
'''
TOY_FORMAT = '''"""Toy format: the score as one line of text (--toy-score PATH)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grade import Grade
from grader.reports.hooks import Requested


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("grader").addoption("--toy-score", metavar="PATH", help="write the score to PATH")


def pytest_grader_requested(config: pytest.Config) -> Requested | None:
    return Requested("--toy-score") if config.getoption("toy_score") else None


def pytest_grader_graded(config: pytest.Config, grade: Grade, elapsed: float) -> None:
    if config.getoption("toy_score"):
        Path(config.getoption("toy_score")).write_text(f"{grade.score:g}/{grade.max_score:g}\\n")
'''


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of old in the file."""
    text = path.read_text()
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new))


def add_task(project: Path, title: str, points: int) -> None:
    """Step 1 of both task recipes: declare the task in grader/assessment.py."""
    declared = f'{LAST_TASK}    TaskInfo(14, "{title}", {points}),\n'
    edit(project / "grader" / "assessment.py", LAST_TASK, declared)


@pytest.fixture(scope="module")
def toy(moto_endpoint: str) -> tuple[str, str]:
    """The reference deployed for a student whose copies of the project are graded: (endpoint, id)."""
    return moto_endpoint, harness.deploy_reference(moto_endpoint, harness.new_student_id("toy")).student_id


def grade_toy(project: Path, toy: tuple[str, str], *args: str) -> harness.GraderRun:
    """Grade the copy against the toy student's deployment, its solution/ as the submission (unless args
    name another)."""
    endpoint, student = toy
    target = ("--target=localstack", f"--endpoint-url={endpoint}", f"--submission-dir={project / 'solution'}")
    return project_copy.run_pytest(project, f"--student-id={student}", *target, *args)


def test_the_guide_names_each_recipe() -> None:
    text = (harness.PROJECT_ROOT / GUIDE).read_text()
    for recipe in ("## Add a live task", "## Add a code task", "## Change points", "## Add an output format"):
        assert recipe in text, recipe


def test_add_a_live_task_then_change_its_points(toy: tuple[str, str], tmp_path: Path) -> None:
    project = project_copy.copy_project(tmp_path / "project")
    add_task(project, "Sort key", 2)
    module = project / "tests_assessment" / "test_task14_toy.py"
    module.write_text(LIVE_TASK)
    run = grade_toy(project, toy, str(module))
    task = run.task(14)
    assert (task["status"], task["score"], task["title"]) == ("passed", 2, "Sort key"), run.output
    assert run.grade is not None and run.grade["max_score"] == MAX_SCORE + 2

    edit(project / "grader" / "assessment.py", '"Sort key", 2)', '"Sort key", 3)')  # change points: 3
    stopped = grade_toy(project, toy, str(module))
    assert stopped.exit_code == 4, stopped.output
    assert "task 14: its checks' points add up to 2" in stopped.output, stopped.output
    module.write_text(LIVE_TASK + SECOND_CHECK)
    run = grade_toy(project, toy, str(module))
    task = run.task(14)
    assert (task["status"], task["score"], task["max_score"]) == ("passed", 3, 3), run.output


def test_add_a_code_task(toy: tuple[str, str], tmp_path: Path) -> None:
    project = project_copy.copy_project(tmp_path / "project")
    add_task(project, "Count orders", 2)
    plans = project / "grader" / "sandbox" / "plans.py"
    edit(plans, "PLANS: tuple[Plan, ...] = (\n",
         'COUNT_ORDERS = Plan("count_orders.py", 14, (StepSpec("run"),))\n\nPLANS: tuple[Plan, ...] = (\n')
    edit(plans, "    CONDITIONAL_WRITES,\n)", "    CONDITIONAL_WRITES,\n    COUNT_ORDERS,\n)")
    fixtures = project / "grader" / "sandbox" / "fixtures.py"
    fixtures.write_text(fixtures.read_text() + "count_orders_run = _record_of(plans.COUNT_ORDERS)\n")
    module = project / "tests_assessment" / "test_task14_count.py"
    module.write_text(CODE_TASK)
    (project / "solution" / "count_orders.py").write_text(COUNT_ORDERS)

    run = grade_toy(project, toy, str(module))
    assert (run.task(14)["status"], run.task(14)["score"]) == ("passed", 2), run.output
    empty = tmp_path / "empty"
    empty.mkdir()
    run = grade_toy(project, toy, str(module), f"--submission-dir={empty}")
    (check,) = run.task(14)["checks"]
    assert check["status"] == "failed" and "count_orders.py" in check["message"], check


def test_add_an_output_format(toy: tuple[str, str], tmp_path: Path) -> None:
    project = project_copy.copy_project(tmp_path / "project")
    (project / "grader" / "reports" / "toy.py").write_text(TOY_FORMAT)
    reports = project / "grader" / "reports" / "formats.py"
    formats = "FORMATS = (gradescope, classroom, classroom50, github"
    edit(reports, formats, f"from grader.reports import toy  # noqa: E402\n\n{formats}, toy")
    score = tmp_path / "score.txt"
    run = grade_toy(project, toy, "tests_assessment/test_task01_table.py", f"--toy-score={score}")
    assert run.grade is not None, run.output
    assert score.read_text() == f"{run.grade['score']:g}/{run.grade['max_score']:g}\n"

"""grader/assessment.py is the one source: the guide, the README, the sandbox keys and the reference agree."""

from __future__ import annotations

import re

from grader import assessment
from grader.assessment import TASKS, TITLE
from grader.sandbox import plans
from tests import harness

GUIDE = harness.PROJECT_ROOT / "docs" / "student-guide.md"
HEADING = re.compile(r"^### (\d+)\. .*\((\d+) points\)", re.MULTILINE)


def guide_tasks(text: str) -> list[tuple[int, int]]:
    """(task number, points) of every task heading of a student guide."""
    return [(int(number), int(points)) for number, points in HEADING.findall(text)]


def test_the_student_guide_lists_every_task_with_its_points() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert text.startswith(f"# {TITLE}:"), text[:80]
    assert guide_tasks(text) == [(task.number, task.points) for task in TASKS]


def test_the_guide_check_notices_a_stale_heading() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    stale = text.replace("### 13. Read patterns (4 points)", "### 13. Read patterns (5 points)")
    assert stale != text and guide_tasks(stale) != [(task.number, task.points) for task in TASKS]


def test_the_readme_counts_the_tasks() -> None:
    readme = (harness.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"({len(TASKS)} tasks:" in readme


def test_the_sandbox_plans_use_orders_of_the_seed() -> None:
    seed = {assessment.key_of(order): order for order in assessment.seed_orders()}
    used = [plans.PENDING_ORDER, *plans.BATCH_GET_KEYS, *plans.BATCH_UPDATE_KEYS]
    assert all(assessment.key_of(key) in seed for key in used), used
    assert seed[assessment.key_of(plans.PENDING_ORDER)]["status"] == "pending"
    assert len(seed) == assessment.SEED_COUNT  # keys are unique


def test_the_reference_table_declares_every_key_attribute_once() -> None:
    table = assessment.reference_table("alice")
    declared = [d["AttributeName"] for d in table["AttributeDefinitions"]]
    keyed = {name for spec in (assessment.GSI, assessment.LSI) for name, _, _ in spec.keys}
    assert len(declared) == len(set(declared)) and set(declared) == keyed | set(assessment.KEY_ATTRIBUTES)
    assert {tag["Key"]: tag["Value"] for tag in table["Tags"]} == assessment.table_tags("alice")

"""The reference solution, deployed and graded through the real entry point, scores full marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.assessment import MAX_SCORE, TASKS
from tests import harness


def test_reference_grade_is_full_and_complete(reference_run: harness.GraderRun) -> None:
    grade = reference_run.grade
    assert grade is not None, reference_run.output
    assert reference_run.not_passed() == {}
    assert (grade["score"], grade["max_score"], grade["complete"]) == (MAX_SCORE, MAX_SCORE, True)
    assert reference_run.exit_code == 0, reference_run.output


def test_grade_json_lists_every_task_in_order(reference_run: harness.GraderRun) -> None:
    grade = reference_run.grade
    assert grade is not None
    assert [t["task"] for t in grade["tasks"]] == [t.number for t in TASKS]
    for task, info in zip(grade["tasks"], TASKS, strict=True):
        assert task["title"] == info.title
        assert task["max_score"] == info.points == sum(c["max_points"] for c in task["checks"])
        assert task["score"] == sum(c["points"] for c in task["checks"])


@pytest.mark.long
@pytest.mark.parametrize("workers", ["0", "2"])
def test_demo_command_scores_full_marks(workers: str, tmp_path: Path) -> None:
    """The README's demo: embedded moto, --deploy-solution, serial and with xdist."""
    run = harness.run_grader(tmp_path, "--student-id=demo", "--target=moto", "--deploy-solution",
                             "-n", workers)
    assert run.grade is not None, run.output
    assert (run.grade["score"], run.grade["complete"], run.exit_code) == (MAX_SCORE, True, 0), \
        run.output
    assert (tmp_path / "report.html").exists()

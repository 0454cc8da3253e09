"""Nothing deployed, nothing submitted: zero points, every check failed (not errored), root causes named."""

from __future__ import annotations

from pathlib import Path

from tests import harness


def test_empty_account_grades_zero_with_root_causes(moto_endpoint: str, tmp_path: Path) -> None:
    empty_submission = tmp_path / "submission"
    empty_submission.mkdir()
    run = harness.grade_on(moto_endpoint, harness.new_student_id("empty"), tmp_path,
                           f"--submission-dir={empty_submission}")
    grade = run.grade
    assert grade is not None, run.output
    assert (grade["score"], grade["complete"], run.exit_code) == (0, True, 1), run.output
    for task in grade["tasks"]:
        assert task["status"] == "failed", task
        assert {c["status"] for c in task["checks"]} == {"failed"}, task
        causes = {c["message"] for c in task["checks"]}
        assert len(causes) <= 2, (task["task"], causes)  # the missing resource, the missing file
        for cause in causes:
            assert "does not exist" in cause or "expected" in cause.lower(), cause
    assert "Traceback" not in run.output

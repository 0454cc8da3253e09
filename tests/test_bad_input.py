"""Bad input is a one-line usage error, exit code 4, no traceback, no grade written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import harness

USAGE_ERROR = 4
BAD_STUDENT_IDS = {
    "empty": "",
    "space": "al ice",
    "slash": "a/b",
    "dot": "alice.smith",
    "unicode": "ålice",
    "43-chars": "a" * 43,
}


def _assert_usage_error(run: harness.GraderRun, *phrases: str) -> None:
    lines = [line for line in run.output.splitlines() if line.strip()]
    assert run.exit_code == USAGE_ERROR, run.output
    assert len(lines) == 1, run.output
    assert lines[0].startswith("ERROR: "), lines[0]
    assert "Traceback" not in run.output
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])
    assert run.grade is None, "a usage error must not write a grade"


@pytest.mark.parametrize("student_id", BAD_STUDENT_IDS.values(), ids=BAD_STUDENT_IDS.keys())
def test_bad_student_id_on_the_command_line(student_id: str, tmp_path: Path) -> None:
    run = harness.run_grader(tmp_path, f"--student-id={student_id}", "--target=moto")
    _assert_usage_error(run, "--student-id")


def test_bad_student_id_from_the_environment(tmp_path: Path) -> None:
    run = harness.run_grader(tmp_path, "--target=moto", env=harness.clean_env(STUDENT_ID="../etc"))
    _assert_usage_error(run, "'../etc'")


def test_a_42_character_id_is_accepted(tmp_path: Path) -> None:
    """The limit is exact: 42 characters grade (the run then fails on the missing endpoint only)."""
    run = harness.run_grader(
        tmp_path,
        f"--student-id={'a' * 42}",
        "--target=localstack",
        "--endpoint-url=http://127.0.0.1:9",
        "tests_assessment/test_task01_table.py",
    )
    assert run.exit_code == 6 and run.grade is not None, run.output


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--target=azure"], "--target 'azure'"),
        (["--endpoint-url=localhost:4566"], "--endpoint-url 'localhost:4566'"),
        (["--endpoint-url=ftp://example.com"], "--endpoint-url"),
        (["--endpoint-url=http://"], "--endpoint-url"),
        (["--submission-dir=/nonexistent/submission"], "/nonexistent/submission"),
        (["--deploy-solution"], "--i-mean-real-aws"),
    ],
    ids=["target", "endpoint-no-scheme", "endpoint-ftp", "endpoint-no-host", "submission-dir", "real-aws"],
)
def test_bad_option(args: list[str], phrase: str, tmp_path: Path) -> None:
    run = harness.run_grader(tmp_path, "--student-id=alice", *args)
    _assert_usage_error(run, phrase)


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("roster.txt", "alice\nbob smith\ncarol\n", "line 2"),
        ("roster.csv", "student_id,submission_dir\nalice,.\nbob\n", "line 3"),
    ],
    ids=["plain-bad-id", "csv-missing-field"],
)
def test_malformed_roster_line_is_named(name: str, content: str, phrase: str, tmp_path: Path) -> None:
    roster = tmp_path / name
    roster.write_text(content)
    run = harness.run_grader(tmp_path, f"--roster={roster}", "--target=moto")
    _assert_usage_error(run, str(roster), phrase)

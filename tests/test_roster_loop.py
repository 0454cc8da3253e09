"""A serial roster run holds one student's checks at a time: each made as pytest's parametrization
would make it, and nothing of a student kept once they are done, whatever the size of the class."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.reports import class_summary
from tests import harness

MODULES = ("tests_assessment/test_task01_table.py", "tests_assessment/test_task02_gsi.py")
"""Live checks only (no sandbox): parametrized ones among them (a tag per check)."""
pytestmark = pytest.mark.long


def _grade_class(endpoint: str, workdir: Path, students: list[str], *args: str, **records: str) -> Any:
    workdir.mkdir()
    roster = workdir / "roster.txt"
    roster.write_text("".join(f"{student}\n" for student in students))
    paths = {name: workdir / f"{name}.jsonl" for name in records}
    environment = harness.clean_env(**{variable: str(paths[name]) for name, variable in records.items()})
    run = harness.run_grader(
        workdir, "--target=localstack", f"--endpoint-url={endpoint}", f"--roster={roster}",
        f"--grades-dir={workdir / 'grades'}", "-p", "tests.selftest_plugin", *args, *MODULES,
        env=environment, html=False,
    )  # fmt: skip
    lines = {
        name: [json.loads(line) for line in path.read_text().splitlines()] for name, path in paths.items()
    }
    return run, lines


@pytest.fixture(scope="module")
def students(moto_endpoint: str) -> list[str]:
    """A class of three: the reference deployed, nothing deployed, the reference again."""
    ids = [harness.new_student_id("full"), harness.new_student_id("none"), harness.new_student_id("full")]
    for student in (ids[0], ids[2]):
        harness.deploy_reference(moto_endpoint, student)
    return ids


def test_each_students_checks_are_those_pytest_parametrization_makes(
    moto_endpoint: str, students: list[str], tmp_path: Path
) -> None:
    """--collect-only parametrizes the whole class; the run makes each next student's checks from the
    first student's: the same node ids, marks, keywords, parameters, fixtures and check names."""
    _, listed = _grade_class(
        moto_endpoint, tmp_path / "co", students, "--collect-only", items="SELFTEST_ITEMS"
    )
    run, ran = _grade_class(moto_endpoint, tmp_path / "run", students, items="SELFTEST_ITEMS")
    assert "grading 3 students, one at a time: 11 checks each" in run.output, run.output
    assert len(listed["items"]) == 3 * 11
    assert ran["items"] == listed["items"]
    grades = tmp_path / "run" / "grades"
    scores = [
        json.loads((grades / student / class_summary.GRADE_NAME).read_text())["score"] for student in students
    ]
    assert scores == [18, 0, 18], run.output


def test_nothing_of_a_student_is_kept_once_they_are_done(
    moto_endpoint: str, students: list[str], tmp_path: Path
) -> None:
    """As the last check ends, the checks, fixture requests and node ids alive, the reports and node ids
    the terminal holds are as many for a class of 3 as of 12 (pytest alone would hold some of every
    student's: every report, a finalizer per student fixture on the session, an entry in its subtests
    plugin); the summary line still counts every check. With -v the terminal counts its progress per
    check (its [ NN%]) without holding every node id; else it prints a line per student, counting none."""
    kept = {}
    for size, verbose in ((3, ()), (12, ()), (12, ("-v",))):
        roster = students + [harness.new_student_id("none") for _ in range(size - 3)]
        workdir = tmp_path / f"{size}{''.join(verbose)}"
        run, found = _grade_class(moto_endpoint, workdir, roster, *verbose, kept="SELFTEST_KEPT")
        (kept[size, verbose],) = found["kept"]
        counted = size * 11 if verbose else 0
        assert kept[size, verbose]["progress"] == counted, kept  # what the terminal's progress counted
        failed = 11 * (size - 2)
        assert f"{failed} failed, {2 * 11} passed" in run.output, run.output
        assert "test_tag[" not in run.output or verbose, (
            "a class's failures are in its pages, not the terminal"
        )
        assert f"[{size}/{size}] {roster[-1]} " in run.output, run.output
    held = [
        {key: each[key] for key in ("items", "requests", "node_ids", "reports")} for each in kept.values()
    ]
    assert held[0] == held[1] == held[2], kept
    assert held[0]["items"] <= 3 * 11 and kept[12, ("-v",)]["progress_ids"] <= 11, kept  # first, this, last


def test_a_student_selected_by_name_is_graded(
    moto_endpoint: str, students: list[str], tmp_path: Path
) -> None:
    """-k may name a roster student: the run then parametrizes the whole class (as pytest would), so the
    selection finds that student's checks, whoever comes first."""
    chosen = students[2]
    run, _ = _grade_class(moto_endpoint, tmp_path / "k", students, "-k", chosen)
    assert "one at a time" not in run.output, run.output
    grades = tmp_path / "k" / "grades"
    scores = {student: json.loads((grades / student / class_summary.GRADE_NAME).read_text())["score"]
              for student in students}  # fmt: skip
    assert scores == {students[0]: 0, students[1]: 0, chosen: 18}, run.output

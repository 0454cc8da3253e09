"""The self-tests' fork server runs the grader as a fresh interpreter would: the same process facts
(environment, /proc/self/environ, working directory, sys.argv[0], sys.path[0]), the same output, exit
code and grade, in a separate process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import harness

TASK1 = "tests_assessment/test_task01_table.py"


def _fresh(cwd: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd,
                          env=harness.clean_env(), text=True, capture_output=True, timeout=300,
                          check=False)  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def _comparable(output: str, folder: Path) -> str:
    """The output without what differs from run to run: durations, the run's own folder."""
    return re.sub(r"in \d+\.\d+s", "in Ns", output.replace(str(folder), "FOLDER"))


@pytest.mark.parametrize(
    "args",
    [
        ["--student-id=nobody", "--target=localstack", "--endpoint-url={endpoint}", TASK1],
        ["--student-id=bad id"],
    ],
    ids=["graded", "usage-error"],
)
def test_a_forked_run_is_a_fresh_one(args: list[str], moto_endpoint: str, tmp_path: Path) -> None:
    if not harness.FORK_SERVER:
        pytest.skip("SELFTEST_FRESH_PYTHON=1: every run is a fresh one")
    runs = {}
    for how, launch in (("forked", harness.run_pytest), ("fresh", _fresh)):
        folder = tmp_path / how
        folder.mkdir()
        grade, process = folder / "grade.json", folder / "process.json"
        options = [f"--grade-json={grade}", f"--selftest-process={process}", "-p", "tests.selftest_plugin"]
        arguments = (arg.format(endpoint=moto_endpoint) for arg in args)
        code, output = launch(harness.PROJECT_ROOT, *options, *arguments)
        found = grade.read_text() if grade.exists() else None
        runs[how] = (code, _comparable(output, folder), found, json.loads(process.read_text()))
    assert runs["forked"] == runs["fresh"]
    described = runs["forked"][3]
    assert described["proc_environ"] == described["environ"] == harness.clean_env()

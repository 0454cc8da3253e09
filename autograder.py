#!/usr/bin/env python3
"""Classroom 50 autograder for DynamoDB Medium: grades the student's checkout with this grader.

Install it as the assignment's autograder (<classroom>/autograders/<assignment>/autograder.py in the
classroom's config repository) and grade with the runner workflow .github/workflows/classroom50-runner.yml
(AWS credentials, Python and the grader); docs/platforms.md has the steps.

Launch contract (the Classroom 50 runner's): ``python autograder.py`` with the student's checkout as
the working directory, USERNAME (the student's GitHub login, also their student id: table
orders-USERNAME) and the submission's CLASSROOM, ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL, RELEASE_URL,
REVIEW_URL... in the environment. It writes result.json (classroom50/result/v1, one test per task)
and release-body.md (the grade table) in the checkout, with grade.json and report.html beside them,
and the commit status (status, summary) in $GITHUB_OUTPUT.

Exit code: 0 whenever it wrote result.json, which the runner then publishes: a full or partial grade,
a zero grade saying why the student id is unusable, or an incomplete grade with status ``error`` (the
runner publishes no Release for it; regrade once the cause is fixed). Non-zero only when no
result.json could be written (the grader is missing or crashed); the runner then records an error.

The grader runs from a scratch folder outside the checkout with ``python -P``, so nothing in the
student's checkout (a boto3.py, pytest.py, conftest.py...) is importable by it.

Where the grader comes from: GRADER_DIR (a checkout of this project), else this file's own folder
when it is the project, else a shallow clone of GRADER_REPO at GRADER_REF (default main). Which
Python runs it: GRADER_PYTHON, else this one; when that one cannot import the grader, a virtual
environment in the scratch folder with the grader installed.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

OUTPUTS = ("result.json", "release-body.md", "grade.json", "report.html")
"""What the grading run writes in its scratch folder and this script copies into the checkout."""


def grader_dir(work: Path) -> Path:
    """A checkout of the grader project: GRADER_DIR, this file's folder, or a fresh clone."""
    if os.environ.get("GRADER_DIR"):
        return Path(os.environ["GRADER_DIR"]).resolve()
    here = Path(__file__).resolve().parent
    if (here / "tests_assessment").is_dir():
        return here
    repo = os.environ.get("GRADER_REPO")
    if not repo:
        sys.exit("autograder: set GRADER_DIR or GRADER_REPO (the grader project's git URL)")
    target = work / "grader"
    ref = os.environ.get("GRADER_REF", "main")
    subprocess.run(["git", "clone", "--quiet", "--depth=1", f"--branch={ref}", repo, str(target)], check=True)
    return target


def grader_python(grader: Path, work: Path) -> str:
    """A Python that imports the grader and pytest, installing them in a venv when needed."""
    python = os.environ.get("GRADER_PYTHON") or sys.executable
    probe = [python, "-P", "-c", "import grader.plugin, pytest"]
    if subprocess.run(probe, cwd=work, capture_output=True, check=False).returncode == 0:
        return python
    venv = work / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    installed = str(venv / "bin" / "python")
    subprocess.run([installed, "-m", "pip", "install", "--quiet", str(grader)], check=True)
    return installed


def output_writer(grader: Path) -> dict[str, Any]:
    """The grader's own safe writer (grader/reports/files.py, standard library only): whatever the
    checkout holds at an output's name (a directory, a symlink, a FIFO) is replaced, never followed."""
    return runpy.run_path(str(grader / "grader" / "reports" / "files.py"))


def main() -> int:
    checkout = Path.cwd()
    for name in OUTPUTS:  # first, whatever fails later: a stale grade is never this submission's
        clear(checkout / name)
    with tempfile.TemporaryDirectory(prefix="grader-") as scratch:
        work = Path(scratch)
        grader = grader_dir(work)
        files = output_writer(grader)
        command = [
            grader_python(grader, work), "-P", "-m", "pytest",
            f"--rootdir={grader}", "-c", str(grader / "pytest.ini"), str(grader / "tests_assessment"),
            f"--student-id={os.environ.get('USERNAME', '').strip()}", f"--submission-dir={checkout}",
            "--classroom50", f"--grade-json={work / 'grade.json'}", f"--html={work / 'report.html'}",
        ]  # fmt: skip
        code = subprocess.run(command, cwd=work, check=False).returncode
        for name in OUTPUTS:
            if (work / name).is_file():
                files["write_output"](checkout / name, (work / name).read_bytes())
    if (checkout / "result.json").is_file():
        return 0
    print(f"autograder: the grader wrote no result.json (exit code {code})", file=sys.stderr)
    return code or 1


def clear(path: Path) -> None:
    """Remove what the checkout holds at an output's name, never following it, and say so in the log
    (before the grader is at hand: its writer, grader/reports/files.py, then writes the outputs)."""
    if not path.is_symlink() and not path.exists():
        return
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
    print(f"autograder: removed {path.name} from the checkout before grading", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

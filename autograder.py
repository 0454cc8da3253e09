#!/usr/bin/env python3
"""Classroom 50 autograder for DynamoDB Medium: grades the student's checkout with this grader.

Install it as the assignment's autograder (<classroom>/autograders/<assignment>/autograder.py in
the classroom's config repository); docs/platforms.md has the steps.
The Classroom 50 runner starts it in the student's checkout with USERNAME (the student's GitHub
login, which is also their student id: table orders-USERNAME) and the submission's CLASSROOM,
ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL... in the environment. It writes result.json
(classroom50/result/v1, one test per task) and release-body.md (the grade table) in the checkout,
with grade.json and report.html beside them.

Where the grader comes from: GRADER_DIR (a checkout of this project), else this file's own
folder when it is the project, else a shallow clone of GRADER_REPO at GRADER_REF (default main).
AWS: the runner's credentials (e.g. OIDC into the read-only grading role); GRADER_TARGET and
AWS_REGION are honoured. Exit code: 0 whenever grading ran end to end (pass or fail is in
result.json), non-zero only when it could not (no USERNAME, grader missing, AWS unreachable).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def grader_dir(workdir: Path) -> Path:
    """A checkout of the grader project: GRADER_DIR, this file's folder, or a fresh clone."""
    if os.environ.get("GRADER_DIR"):
        return Path(os.environ["GRADER_DIR"]).resolve()
    here = Path(__file__).resolve().parent
    if (here / "tests_assessment").is_dir():
        return here
    repo = os.environ.get("GRADER_REPO")
    if not repo:
        sys.exit("autograder: set GRADER_DIR or GRADER_REPO (the grader project's git URL)")
    target = workdir / "grader"
    ref = os.environ.get("GRADER_REF", "main")
    subprocess.run(["git", "clone", "--quiet", "--depth=1", f"--branch={ref}", repo, str(target)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-e", str(target)], check=True)
    return target


def main() -> int:
    username = os.environ.get("USERNAME", "").strip()
    if not username:
        print("autograder: USERNAME is not set; the Classroom 50 runner provides it", file=sys.stderr)
        return 2
    checkout = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="grader-") as work:
        grader = grader_dir(Path(work))
        command = [
            sys.executable, "-m", "pytest",
            f"--rootdir={grader}", "-c", str(grader / "pytest.ini"), str(grader / "tests_assessment"),
            f"--student-id={username}", f"--submission-dir={checkout}", "--classroom50",
        ]  # fmt: skip
        return subprocess.run(command, cwd=checkout, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())

"""A temporary copy of the project to change (a toy task, a broken suite) and grade, this one untouched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests import harness

COPIED = ("conftest.py", "pytest.ini", "grader", "solution", "tests_assessment")


def copy_project(destination: Path) -> Path:
    """The grader, its grading suite and the reference solution, copied into destination."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    destination.mkdir(parents=True)
    for name in COPIED:
        source = harness.PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    return destination


def run_pytest(project: Path, *args: str, timeout: float = 300) -> harness.GraderRun:
    """`python -m pytest ARGS` in the copy, its grade file and report kept in the copy. No bytecode is
    written: the tests edit the copy's sources between runs, and an edit that keeps a file's size within
    the second of its compilation would leave Python a cached module it takes for current."""
    reports = (f"--grade-json={project / 'grade.json'}", f"--html={project / 'report.html'}")
    environment = harness.clean_env(PYTHONDONTWRITEBYTECODE="1")
    code, output = harness.run_pytest(project, *reports, *args, env=environment, timeout=timeout)
    grade_path = project / "grade.json"
    grade = json.loads(grade_path.read_text()) if grade_path.exists() else None
    return harness.GraderRun(code, output, grade, project)

"""grade.json: the machine-readable grade (its shape: Grade.to_dict in grader/grade.py)."""

from __future__ import annotations

import json
from pathlib import Path

from grader.grade import Grade
from grader.reports.files import write_output


def write(grade: Grade, path: Path) -> None:
    write_output(path, json.dumps(grade.to_dict(), indent=2) + "\n")

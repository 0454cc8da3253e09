"""grade.json: the machine-readable grade (its shape: Grade.to_dict in grader/grade.py)."""

from __future__ import annotations

import json
from pathlib import Path

from grader.grade import Grade


def write(grade: Grade, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(grade.to_dict(), indent=2) + "\n", encoding="utf-8")

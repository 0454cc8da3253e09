"""pytest-xdist scheduling for roster runs: each student's checks go to one worker, as one unit.

xdist's loadgroup would do this from xdist_group marks, but with pytest 9.2 the node id suffix it
relies on no longer takes effect (pytest-xdist issue 1386): students were split over workers, each
worker running the student's code again. Here the unit is read from the node id's parameter ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling


def student_of(nodeid: str, students: frozenset[str]) -> str | None:
    """The roster student among the node id's parameter ids ('test_tag[alice-Environment]' -> 'alice'),
    or None when there is not exactly one (a student id may itself hold '-')."""
    name = nodeid.rsplit("::", 1)[-1]
    if "[" not in name or not name.endswith("]"):
        return None
    parts = name[name.index("[") + 1 : -1].split("-")
    spans = {"-".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}
    found = spans & students
    return found.pop() if len(found) == 1 else None


def all_placed(nodeids: Iterable[str], students: frozenset[str]) -> bool:
    """True when every check names exactly one student, so each student's checks run together."""
    return all(student_of(nodeid, students) is not None for nodeid in nodeids)


class StudentScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with one scope per roster student (a check naming none is its own)."""

    def __init__(self, config: pytest.Config, log: Any, students: Iterable[str]) -> None:
        super().__init__(config, log)
        self.students = frozenset(students)

    def _split_scope(self, nodeid: str) -> str:
        return student_of(nodeid, self.students) or nodeid

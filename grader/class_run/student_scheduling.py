"""pytest-xdist scheduling of a grading run: checks that must run together go to one worker, as one unit.

Each roster student's checks are one unit (their code runs once, their reads are made once). Grading
one student, the checks of the tasks that run the student's files are one unit: each file then runs
once, in one sandbox, and every check of it reads that one run (spread over workers, each worker
would start a sandbox of its own and run the file again). Every other check is a unit of its own.

xdist's loadgroup would do this from xdist_group marks, but with pytest 9.2 the node id suffix it
relies on no longer takes effect (pytest-xdist issue 1386): students were split over workers, each
worker running the student's code again. Here the unit is read from the node id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from grader.collection import module_task, suite_modules
from grader.sandbox.plans import PLANS
from grader.suite import GRADING_SUITE

STUDENT_CODE = "the student's code"
"""The unit of a student's checks that run their files."""


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


def code_files() -> frozenset[str]:
    """The file names of the grading suite's modules whose task runs the student's files."""
    tasks = {plan.task for plan in PLANS}
    modules = suite_modules(GRADING_SUITE, GRADING_SUITE.parent)
    return frozenset(name for name, module in modules.items() if module_task(module) in tasks)


def code_unit(files: frozenset[str]) -> Callable[[str], str | None]:
    """The unit of one student's checks: STUDENT_CODE for a check in one of the files, else None."""
    return lambda nodeid: STUDENT_CODE if nodeid.split("::", 1)[0].rsplit("/", 1)[-1] in files else None


def roster_unit(students: Iterable[str]) -> Callable[[str], str | None]:
    """The unit of a roster run's checks: the student a check grades."""
    named = frozenset(students)
    return lambda nodeid: student_of(nodeid, named)


class GradingScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with the grader's units (a check in none is a unit of its own)."""

    def __init__(self, config: pytest.Config, log: Any, unit_of: Callable[[str], str | None]) -> None:
        super().__init__(config, log)
        self.unit_of = unit_of

    def _split_scope(self, nodeid: str) -> str:
        return self.unit_of(nodeid) or nodeid

"""Points verified before grading: a suite whose points disagree with the assessment is a usage error.

Every module of the grading suite carries ``pytestmark = pytest.mark.task(N)`` for a task of
`grader.assessment`, every check a whole, positive ``@pytest.mark.points(P)`` (on the function, or on
each ``pytest.param`` of a parametrized check), and a task's checks, over all its modules, add up to its
declared points. The whole suite is read at the start of collection, whatever the run selects, so a
mistake stops every run (exit code 4) before any AWS call, naming the module and the numbers.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from grader.assessment import TASKS
from grader.stash import SETTINGS_KEY
from grader.suite import GRADING_SUITE, is_xdist_worker

Points = dict[str, float | None]
"""Check id (test function, [case number] when parametrized) -> its points (None: no points marker)."""


def _points(marks: Iterable[Any]) -> float | None:
    found = [mark.args[0] for mark in marks if getattr(mark, "name", "") == "points"]
    return found[-1] if found else None


def check_points(name: str, function: Any) -> Points:
    """The points of each check the test function called name makes (one per parametrized case)."""
    marks = getattr(function, "pytestmark", [])
    params = [mark for mark in marks if mark.name == "parametrize"]
    if not params:
        return {name: _points(marks)}
    argvalues = [mark.args[1] if len(mark.args) > 1 else mark.kwargs["argvalues"] for mark in params]
    cases = enumerate(itertools.product(*argvalues))
    return {
        f"{name}[{number}]": _points([*marks, *(m for value in case for m in getattr(value, "marks", ()))])
        for number, case in cases
    }


def module_task(module: ModuleType) -> int | None:
    marks = getattr(module, "pytestmark", [])
    tasks = [mark.args[0] for mark in (marks if isinstance(marks, list) else [marks]) if mark.name == "task"]
    return tasks[0] if tasks else None


def problems(modules: dict[str, ModuleType]) -> list[str]:
    """What is wrong with the suite's tasks and points (empty when nothing is), modules by file name."""
    found: list[str] = []
    totals: dict[int, dict[str, float]] = {}
    declared = {task.number: task.points for task in TASKS}
    for name, module in sorted(modules.items()):
        task = module_task(module)
        if task not in declared:
            found.append(
                f"{name} has no task marker: add pytestmark = pytest.mark.task(N)"
                if task is None
                else f"{name} is marked task {task!r}, which grader/assessment.py does not declare"
            )
            continue
        checks: Points = {}
        for attribute, function in vars(module).items():
            if attribute.startswith("test_") and callable(function):
                checks.update(check_points(attribute, function))
        for check, points in checks.items():
            if points is None or points <= 0:
                found.append(f"{name}::{check} has {'no points' if points is None else f'points {points}'}")
            elif not float(points).is_integer():
                found.append(f"{name}::{check} has points {points}: points per check are whole")
        totals.setdefault(task, {})[name] = sum(p for p in checks.values() if p)
    for task, points in declared.items():
        by_module = totals.get(task, {})
        if sum(by_module.values()) != points:
            split = ", ".join(f"{name} {total:g}" for name, total in by_module.items()) or "no module"
            found.append(
                f"task {task}: its checks' points add up to {sum(by_module.values()):g} ({split}); "
                f"grader/assessment.py declares {points}"
            )
    return found


def suite_modules(suite: Path, root: Path) -> dict[str, ModuleType]:
    """Every test module of the grading suite, imported as pytest imports it (a package under root)."""
    package = ".".join(suite.relative_to(root).parts)
    paths = sorted(suite.glob("test_*.py"))
    return {path.name: importlib.import_module(f"{package}.{path.stem}") for path in paths}


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    config = session.config
    if SETTINGS_KEY not in config.stash or is_xdist_worker(config):
        return
    found = problems(suite_modules(GRADING_SUITE, GRADING_SUITE.parent))
    if found:
        raise pytest.UsageError("the grading suite's points are wrong:\n  " + "\n  ".join(found))

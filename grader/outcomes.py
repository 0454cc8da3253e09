"""Turn a pytest test outcome into the check result a student reads."""

from __future__ import annotations

import pytest

from grader.class_run.roster import ROSTER_PARAM
from grader.failures import RequirementFailed, describe_grader_error
from grader.grade import CheckResult
from grader.reports.text import capped, encodable


def task_number(item: pytest.Item) -> int | None:
    """The task a check belongs to (module-level ``pytestmark = pytest.mark.task(N)``)."""
    marker = item.get_closest_marker("task")
    return int(marker.args[0]) if marker else None


def check_name(item: pytest.Item) -> str:
    """The line the student sees: the check's docstring (with its parameters filled in)."""
    function = getattr(item, "function", None)
    doc = (getattr(function, "__doc__", None) or "").strip().splitlines()
    params = getattr(getattr(item, "callspec", None), "params", {})
    params = {name: value for name, value in params.items() if name != ROSTER_PARAM}
    if doc:
        return doc[0].format(**params) if params else doc[0]
    return item.name.removeprefix("test_").replace("_", " ")


def check_points(item: pytest.Item) -> float:
    marker = item.get_closest_marker("points")
    return float(marker.args[0]) if marker else 0.0


def check_result(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> CheckResult:
    """passed / failed (the student's requirement) / error (grading could not be done)."""
    task = task_number(item)
    assert task is not None
    status, message = "passed", ""
    if report.skipped:
        status, message = "error", "check was skipped, so it could not be graded"
    elif call.excinfo is not None:
        exc = call.excinfo.value
        if isinstance(exc, RequirementFailed):
            status, message = "failed", exc.message
        else:
            status, message = "error", describe_grader_error(exc)
    return CheckResult(
        task=task,
        name=check_name(item),
        status=status,
        max_points=check_points(item),
        message=encodable(capped(message)),  # travels between processes and into UTF-8 files, bounded
        order=(item.location[1] or 0, item.nodeid),
    )

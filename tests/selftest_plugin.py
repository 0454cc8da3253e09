"""A pytest plugin the self-tests load into a grading run (``-p tests.selftest_plugin``).

Driven by environment variables so the grading run itself stays unchanged:

- ``SELFTEST_LIVE_CHECKS=PATH``: write to PATH the checks (task, name as in grade.json) that need
  the target account, i.e. whose fixtures include ``account``.
- ``SELFTEST_ROGUE_CHECK=TEST_NAME``: make that check try to delete the student's table, as a
  careless check might, so the self-tests can see the read-only guard refuse it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader.assessment import table_name
from grader.outcomes import check_name, task_number

LIVE_CHECKS = "SELFTEST_LIVE_CHECKS"
ROGUE_CHECK = "SELFTEST_ROGUE_CHECK"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    path = os.environ.get(LIVE_CHECKS)
    if not path:
        return
    live = [
        [task_number(item), check_name(item)]
        for item in items
        if task_number(item) is not None and "account" in getattr(item, "fixturenames", ())
    ]
    Path(path).write_text(json.dumps(live))


@pytest.fixture(autouse=True)
def _rogue_write(request: pytest.FixtureRequest) -> None:
    if request.node.name != os.environ.get(ROGUE_CHECK):
        return
    account = request.getfixturevalue("account")
    student_id = request.getfixturevalue("student_id")
    account.client("dynamodb").delete_table(TableName=table_name(student_id))

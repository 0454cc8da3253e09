"""A pytest plugin the self-tests load into a grading run (``-p tests.selftest_plugin``).

Driven by environment variables so the grading run itself stays unchanged:

- ``SELFTEST_LIVE_CHECKS=PATH``: write to PATH the checks (task, name as in grade.json) that need
  the target account, i.e. whose fixtures include ``account``.
- ``SELFTEST_ROGUE_CHECK=TEST_NAME``: make that check try to delete the student's table, as a
  careless check might, so the self-tests can see the read-only guard refuse it.
- ``SELFTEST_ITEMS=PATH``: write to PATH what pytest knows of each check (node id, marks, keywords,
  parameters, fixtures): of each collected item with ``--collect-only``, else of each item run.
- ``--selftest-process=PATH`` (an option, so the run's environment stays the default one): write to
  PATH what the grading process is: its environment (as os.environ and as /proc/self/environ), working
  directory, sys.argv[0], sys.path[0] and bytecode setting.
- ``SELFTEST_KEPT=PATH``: write to PATH, as the run's last check ends (its session fixtures still set
  up), what is held of its checks: the items, fixture requests and node ids alive, the reports the
  terminal holds (distinct objects) and the node ids its progress holds.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import table_name
from grader.outcomes import check_name, task_number

LIVE_CHECKS = "SELFTEST_LIVE_CHECKS"
ROGUE_CHECK = "SELFTEST_ROGUE_CHECK"
ITEMS = "SELFTEST_ITEMS"
KEPT = "SELFTEST_KEPT"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--selftest-process", metavar="PATH", help="self-tests: describe this process in PATH")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:  # before the grader's configure (usage errors)
    path = config.getoption("selftest_process")
    if path:
        proc = Path("/proc/self/environ").read_bytes().split(b"\0")
        Path(path).write_text(json.dumps({
            "environ": dict(os.environ),
            "proc_environ": dict(entry.decode().split("=", 1) for entry in proc if entry),
            "cwd": os.getcwd(),
            "argv0": sys.argv[0],
            "path0": sys.path[0],
            "dont_write_bytecode": sys.dont_write_bytecode,
        }))  # fmt: skip


def _described(item: pytest.Item) -> dict[str, Any]:
    callspec = getattr(item, "callspec", None)
    return {
        "nodeid": item.nodeid,
        "name": item.name,
        "location": list(item.location),
        "marks": sorted(repr((m.name, m.args, sorted(m.kwargs.items()))) for m in item.iter_markers()),
        "keywords": sorted(item.keywords),
        "params": {k: str(v) for k, v in callspec.params.items()} if callspec else {},
        "fixtures": list(getattr(item, "fixturenames", ())),
        "check": [task_number(item), check_name(item)],
    }


def _append(variable: str, record: dict[str, Any]) -> None:
    with Path(os.environ[variable]).open("a") as file:
        file.write(json.dumps(record) + "\n")


def pytest_collection_finish(session: pytest.Session) -> None:
    if ITEMS in os.environ and session.config.option.collectonly:
        for item in session.items:
            _append(ITEMS, _described(item))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if ITEMS in os.environ:
        _append(ITEMS, _described(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """As the run's last check ends, before the session's fixtures are torn down."""
    if KEPT not in os.environ or nextitem is not None:
        return
    gc.collect()
    terminal: Any = item.config.pluginmanager.get_plugin("terminalreporter")
    reports = {id(report) for kept in terminal.stats.values() for report in kept}
    progress = terminal._progress_nodeids_reported
    alive = gc.get_objects()
    _append(KEPT, {
        "items": sum(isinstance(thing, pytest.Item) for thing in alive),
        "requests": sum(isinstance(thing, pytest.FixtureRequest) for thing in alive),
        "node_ids": sum(type(thing).__name__ == "NodeId" for thing in alive),
        "reports": len(reports),
        "progress_ids": len(set(progress)),
        "progress": len(progress),
    })  # fmt: skip


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

"""Fixtures of the grader's self-tests."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import pytest

from tests import harness


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "long: a test of many seconds (full grading runs); such tests start first, so the "
        "workers do not end waiting for one of them (the whole suite is checked in CI against 3 minutes)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("long") is None)  # stable: the order otherwise


@pytest.fixture(scope="session", autouse=True)
def fork_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Grading runs in the default environment start from a fork server (SELFTEST_FRESH_PYTHON=1, or a
    server that cannot start, which is warned about: each in a fresh interpreter)."""
    if os.environ.get("SELFTEST_FRESH_PYTHON") == "1":
        yield
        return
    try:
        server = harness.ForkServer(tmp_path_factory.mktemp("forkserver"))
    except (OSError, RuntimeError) as exc:
        warnings.warn(f"no fork server ({exc}): every grading run starts a fresh interpreter", stacklevel=1)
        yield
        return
    harness.FORK_SERVER.append(server)
    yield
    harness.FORK_SERVER.pop().close()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server per self-test process; tests keep apart by unique student ids."""
    emulator = harness.start_emulator()
    yield emulator.endpoint_url
    emulator.stop()


@pytest.fixture(scope="session")
def reference_run(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> harness.GraderRun:
    """The reference deployment graded once, shared by the tests that only read its grade."""
    student_id = harness.new_student_id("ref")
    harness.deploy_reference(moto_endpoint, student_id)
    solution = str(harness.PROJECT_ROOT / "solution")
    return harness.grade_on(moto_endpoint, student_id, tmp_path_factory.mktemp("reference"),
                            f"--submission-dir={solution}")

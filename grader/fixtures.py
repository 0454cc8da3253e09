"""Fixtures the task modules ask for: the student, their account, their resources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.aws.resources import StudentResources
from grader.aws.session import Account, make_session
from grader.aws.views import TableView
from grader.class_run.prefetch import AHEAD, Prefetch
from grader.class_run.roster import student_settings, upcoming
from grader.failures import GraderError, RequirementFailed
from grader.outcomes import task_number
from grader.settings import RosterEntry, Settings
from grader.stash import ENDPOINT_KEY, SETTINGS_KEY


@pytest.fixture(scope="session", autouse=True)
def roster_entry(request: pytest.FixtureRequest) -> RosterEntry | None:
    """The student a check grades in a --roster run (parametrized per student); None otherwise."""
    return getattr(request, "param", None)


def run_wide(request: pytest.FixtureRequest, name: str) -> Any:
    """A session fixture the whole run shares (not one per student), for a fixture of one roster
    student. Asked for through request: as an argument, pytest would keep on it a finalizer of the
    student's fixture, with the check that set it up, for every student of the class (the run's config
    likewise: request.config, not the pytestconfig fixture)."""
    return request.getfixturevalue(name)


@pytest.fixture(scope="session")
def settings(request: pytest.FixtureRequest, roster_entry: RosterEntry | None) -> Settings:
    """The run's settings; in a roster run, those of the student this check grades."""
    stash = request.config.stash
    if SETTINGS_KEY not in stash:
        raise GraderError("grading fixtures need a grading run: pass --student-id")
    if roster_entry is not None:
        return student_settings(stash[SETTINGS_KEY], roster_entry)
    return stash[SETTINGS_KEY]


@pytest.fixture(scope="session")
def student_id(settings: Settings) -> str:
    return settings.student_id


@pytest.fixture(scope="session")
def submission_dir(settings: Settings) -> Path:
    return settings.submission_dir


ACCOUNTS_KEY = pytest.StashKey[dict[tuple[str | None, ...], Account | Exception]]()


@pytest.fixture(scope="session")
def account(request: pytest.FixtureRequest, settings: Settings) -> Account:
    """The target account, after one call proving that credentials and endpoint work.

    One per target, region, profile and endpoint for the whole run (a roster's students share it,
    and so its clients and its one probe): a failed probe is said again, not retried per student.
    """
    endpoint = request.config.stash[ENDPOINT_KEY]
    accounts = request.config.stash.setdefault(ACCOUNTS_KEY, {})
    key = (settings.target, settings.region, settings.profile, endpoint)
    if key not in accounts:
        account = Account(make_session(settings, endpoint), endpoint)
        try:
            account.caller_identity()
            accounts[key] = account
        except Exception as exc:  # any cause: kept, and raised for every student alike
            accounts[key] = exc
    found = accounts[key]
    if isinstance(found, Exception):
        raise found
    return found


@pytest.fixture(scope="session")
def graded_tasks(request: pytest.FixtureRequest) -> frozenset[int]:
    """The tasks this run grades (those of its selected checks)."""
    return frozenset(task for item in request.session.items if (task := task_number(item)) is not None)


@pytest.fixture(scope="session")
def prefetch(graded_tasks: frozenset[int]) -> Iterator[Prefetch]:
    """Students' resources read ahead (in a serial roster run); it stops with the session, before the
    run's emulator does."""
    ahead = Prefetch(graded_tasks)
    yield ahead
    ahead.close()


@pytest.fixture(scope="session")
def student(
    request: pytest.FixtureRequest, account: Account, student_id: str, roster_entry: RosterEntry | None
) -> StudentResources:
    """The student's resources, their reads made at once from now; in a serial roster run, the next
    students' reads are made meanwhile."""
    prefetch: Prefetch = run_wide(request, "prefetch")
    resources = prefetch.take(account, student_id)
    if not hasattr(request.config, "workerinput"):  # a worker does not know which student comes next
        for entry in upcoming(request.config.stash[SETTINGS_KEY], roster_entry, AHEAD):
            prefetch.start(account, entry.student_id)
    return resources


@pytest.fixture
def table(student: StudentResources) -> TableView:
    """The student's table; a missing table fails the check naming Task 1."""
    found = student.table
    if found is None:
        raise RequirementFailed(
            f"table {student.table_name} does not exist in region {student.account.region}",
            fix="Create it first (Task 1); this check depends on it",
        )
    return found

"""Fixtures the task modules ask for: the student, their account, their resources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.aws import Account, make_session
from grader.failures import GraderError, RequirementFailed
from grader.options import Settings
from grader.outcomes import task_number
from grader.prefetch import Prefetch
from grader.resources import StudentResources
from grader.roster import RosterEntry, student_settings, upcoming
from grader.stash import ENDPOINT_KEY, SETTINGS_KEY
from grader.views import TableView


@pytest.fixture(scope="session", autouse=True)
def roster_entry(request: pytest.FixtureRequest) -> RosterEntry | None:
    """The student a check grades in a --roster run (parametrized per student); None otherwise."""
    return getattr(request, "param", None)


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config, roster_entry: RosterEntry | None) -> Settings:
    """The run's settings; in a roster run, those of the student this check grades."""
    if SETTINGS_KEY not in pytestconfig.stash:
        raise GraderError("grading fixtures need a grading run: pass --student-id")
    if roster_entry is not None:
        return student_settings(pytestconfig.stash[SETTINGS_KEY], roster_entry)
    return pytestconfig.stash[SETTINGS_KEY]


@pytest.fixture(scope="session")
def student_id(settings: Settings) -> str:
    return settings.student_id


@pytest.fixture(scope="session")
def submission_dir(settings: Settings) -> Path:
    return settings.submission_dir


ACCOUNTS_KEY = pytest.StashKey[dict[tuple[str | None, ...], Account | Exception]]()


@pytest.fixture(scope="session")
def account(pytestconfig: pytest.Config, settings: Settings) -> Account:
    """The target account, after one call proving that credentials and endpoint work.

    One per target, region, profile and endpoint for the whole run (a roster's students share it,
    and so its clients and its one probe): a failed probe is said again, not retried per student.
    """
    endpoint = pytestconfig.stash[ENDPOINT_KEY]
    accounts = pytestconfig.stash.setdefault(ACCOUNTS_KEY, {})
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
    pytestconfig: pytest.Config,
    prefetch: Prefetch,
    account: Account,
    student_id: str,
    roster_entry: RosterEntry | None,
) -> StudentResources:
    """The student's resources; in a serial roster run, the next student's reads are made meanwhile."""
    resources = prefetch.take(account, student_id)
    if not hasattr(pytestconfig, "workerinput"):  # a worker does not know which student comes next
        for entry in upcoming(pytestconfig.stash[SETTINGS_KEY], roster_entry, 1):
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

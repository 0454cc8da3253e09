"""Fixtures the task modules ask for: the student, their account, their resources."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.aws.entry import entry_failure, own_way_in
from grader.aws.resources import StudentResources
from grader.aws.session import Account, make_session
from grader.aws.views import TableView
from grader.class_run.prefetch import AHEAD, Prefetch
from grader.class_run.roster import student_settings, upcoming
from grader.failures import GraderError, RequirementFailed
from grader.outcomes import task_number
from grader.settings import RosterEntry, Settings
from grader.stash import ENDPOINT_KEY, SETTINGS_KEY
from grader.suite import is_xdist_worker


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
SHARED_WAYS_KEY = pytest.StashKey[frozenset[tuple[str | None, ...]]]()
KEPT_ALONE = 1 + AHEAD
"""Accounts of one student each kept entered at once: the student graded and those read ahead."""


def way_in(settings: Settings, endpoint: str | None) -> tuple[str | None, ...]:
    """What tells one account apart: target, endpoint, region, profile, role and external id."""
    return (
        settings.target,
        endpoint,
        settings.region,
        settings.profile,
        settings.role_arn,
        settings.external_id,
    )


def _shared_ways(config: pytest.Config, endpoint: str | None) -> frozenset[tuple[str | None, ...]]:
    """The ways in that two or more students of the run's roster share."""
    if SHARED_WAYS_KEY not in config.stash:
        run = config.stash.get(SETTINGS_KEY, None)
        roster = () if run is None or run.roster is None else run.roster
        ways = Counter(way_in(student_settings(run, entry), endpoint) for entry in roster)
        config.stash[SHARED_WAYS_KEY] = frozenset(way for way, students in ways.items() if students > 1)
    return config.stash[SHARED_WAYS_KEY]


def _let_go(config: pytest.Config, endpoint: str | None) -> None:
    """Forget the entered accounts of one student each but the latest KEPT_ALONE: a class in many accounts
    would otherwise keep every student's clients to its end (about 2 MB each). Shared ways in stay for
    the run (their region-wide reads are made once), and so do failures (small, said at once)."""
    accounts, shared = config.stash[ACCOUNTS_KEY], _shared_ways(config, endpoint)
    alone = [key for key, found in accounts.items() if isinstance(found, Account) and key not in shared]
    for key in alone[:-KEPT_ALONE]:
        del accounts[key]


def enter(config: pytest.Config, settings: Settings, entry: RosterEntry | None) -> Account:
    """The account of a way in, after one call proving that credentials and endpoint work.

    One Account per way in: the students who share it share its clients, its probe and its region-wide
    reads; students in other accounts never do. A way in that failed is kept failed: its students'
    other checks say why at once, without waiting through retries again.
    """
    endpoint = config.stash[ENDPOINT_KEY]
    accounts = config.stash.setdefault(ACCOUNTS_KEY, {})
    key = way_in(settings, endpoint)
    if key not in accounts:
        try:
            account = Account(make_session(settings, endpoint), endpoint)
            account.caller_identity()
            accounts[key] = account
        except Exception as exc:  # any cause: kept, and raised for every student of this way in alike
            accounts[key] = exc
        _let_go(config, endpoint)
    found = accounts[key]
    if isinstance(found, Exception):
        failure = entry_failure(settings, entry, found)
        if failure is None:
            raise found
        raise failure from found
    return found


@pytest.fixture(scope="session")
def account(request: pytest.FixtureRequest, settings: Settings, roster_entry: RosterEntry | None) -> Account:
    """The student's account (see enter)."""
    return enter(request.config, settings, roster_entry)


@pytest.fixture(autouse=True)
def own_account_entered(request: pytest.FixtureRequest) -> None:
    """A student graded in an account of their own is graded once the grader is in: when it cannot enter,
    every check of theirs (those of their code too) is not graded, for that one cause."""
    if SETTINGS_KEY not in request.config.stash or task_number(request.node) is None:
        return
    if own_way_in(request.getfixturevalue("settings"), request.getfixturevalue("roster_entry")):
        request.getfixturevalue("account")


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
    students' reads are made meanwhile (each from that student's own account)."""
    prefetch: Prefetch = run_wide(request, "prefetch")
    resources = prefetch.take(account, student_id)
    if not is_xdist_worker(request.config):  # a worker does not know which student comes next
        run = request.config.stash[SETTINGS_KEY]
        for entry in upcoming(run, roster_entry, AHEAD):
            try:
                ahead = enter(request.config, student_settings(run, entry), entry)
            except Exception:  # not entered: that student's checks say why
                continue
            prefetch.start(ahead, entry.student_id)
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

"""Session fixtures of the sandbox: one run per submission file, shared by that file's checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from grader.assessment import table_name
from grader.aws.session import make_session
from grader.class_run.roster import student_settings, upcoming
from grader.fixtures import run_wide
from grader.sandbox import plans
from grader.sandbox.record import Record
from grader.sandbox.runner import SandboxConfig, SandboxPool
from grader.settings import RosterEntry, Settings
from grader.stash import SETTINGS_KEY

LOOKAHEAD = 2
"""In a roster run, how many of the next students' sandboxes start while one student is graded. The
grader waits on the sandboxes most of a student's time: on 2 cores (30 students, 2026-12-01) 2 ahead
graded in 18.5 s where 1 took 22.3 s and 3 took 21.3 s (the cores were full), for 35 MB more PSS
then; each student ahead now also holds an emulator of their own (about 70 MB PSS, see
grader/sandbox/emulators.py)."""
POOLS_KEY = pytest.StashKey[dict[str, SandboxPool]]()
REGION_KEY = pytest.StashKey[str]()


def _pool_for(config: pytest.Config, graded: frozenset[int], settings: Settings) -> SandboxPool:
    """A student's sandbox pool; outside xdist workers, every file of the tasks graded starts at once."""
    if REGION_KEY not in config.stash:  # the run's (a student's own region, a roster's cell, comes first)
        config.stash[REGION_KEY] = make_session(config.stash[SETTINGS_KEY], None).region_name
    pool = SandboxPool(
        SandboxConfig(
            submission_dir=settings.submission_dir,
            table=table_name(settings.student_id),
            student_id=settings.student_id,
            region=settings.region or config.stash[REGION_KEY],
            timeout=settings.sandbox_timeout,
            isolation=settings.isolation,  # type: ignore[arg-type]
        )
    )
    if not hasattr(config, "workerinput"):
        try:
            for plan in plans.PLANS:
                if plan.task in graded:
                    pool.start(plan)
        except BaseException:
            pool.close()
            raise
    return pool


def _started_ahead(config: pytest.Config, graded: frozenset[int], settings: Settings) -> SandboxPool | None:
    """A later student's pool started ahead, or None when that failed: whatever goes wrong preparing
    them is met again in their own checks, never in those of the student being graded."""
    try:
        return _pool_for(config, graded, settings)
    except Exception:
        return None


@pytest.fixture(scope="session")
def sandbox(
    request: pytest.FixtureRequest, settings: Settings, roster_entry: RosterEntry | None
) -> Iterator[SandboxPool]:
    """The student's sandbox runs; in a roster run the next student's are already under way."""
    config = request.config
    if POOLS_KEY not in config.stash:
        config.stash[POOLS_KEY] = {}
        config.add_cleanup(lambda: [pool.close() for pool in config.stash[POOLS_KEY].values()])
    pools = config.stash[POOLS_KEY]
    graded_tasks: frozenset[int] = run_wide(request, "graded_tasks")
    pool = pools.pop(settings.student_id, None) or _pool_for(config, graded_tasks, settings)
    run = config.stash[SETTINGS_KEY]
    # an xdist worker does not know which student it is given next: it starts none ahead
    ahead = () if hasattr(config, "workerinput") else upcoming(run, roster_entry, LOOKAHEAD)
    for entry in ahead:
        if entry.student_id not in pools:
            later = _started_ahead(config, graded_tasks, student_settings(run, entry))
            if later is not None:
                pools[entry.student_id] = later
    yield pool
    pool.close()


@pytest.fixture(scope="session", autouse=True)
def _sandbox_starts_with_the_student(
    request: pytest.FixtureRequest, roster_entry: RosterEntry | None
) -> None:
    """Start a student's file runs with their first check (once per roster student), so they overlap
    the account's checks; nothing outside a grading run."""
    if SETTINGS_KEY in request.config.stash:
        request.getfixturevalue("sandbox")


def _record_of(plan: plans.Plan) -> Callable[[SandboxPool], Record]:
    def fixture(sandbox: SandboxPool) -> Record:
        return sandbox.record(plan)

    fixture.__doc__ = f"What {plan.file} did in the sandbox; a file that could not run fails the check."
    return pytest.fixture(scope="session", name=f"{plan.file.removesuffix('.py')}_run")(fixture)


query_gsi_run = _record_of(plans.QUERY_GSI)
query_lsi_run = _record_of(plans.QUERY_LSI)
lambda_function_run = _record_of(plans.LAMBDA_FUNCTION)
batch_operations_run = _record_of(plans.BATCH_OPERATIONS)
conditional_writes_run = _record_of(plans.CONDITIONAL_WRITES)
read_patterns_run = _record_of(plans.READ_PATTERNS)

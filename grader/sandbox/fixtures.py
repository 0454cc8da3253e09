"""Session fixtures of the sandbox: one run per submission file, shared by that file's checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from grader.assessment import table_name
from grader.aws import make_session
from grader.options import Settings
from grader.outcomes import task_number
from grader.sandbox import plans
from grader.sandbox.record import Record
from grader.sandbox.runner import SandboxConfig, SandboxPool
from grader.stash import SETTINGS_KEY


@pytest.fixture(scope="session")
def sandbox(request: pytest.FixtureRequest, settings: Settings) -> Iterator[SandboxPool]:
    """The session's sandbox runs. Outside xdist workers, every file this session grades starts at once."""
    config = SandboxConfig(
        submission_dir=settings.submission_dir,
        table=table_name(settings.student_id),
        student_id=settings.student_id,
        region=make_session(settings, None).region_name,
        timeout=settings.sandbox_timeout,
        isolation=settings.isolation,  # type: ignore[arg-type]
    )
    pool = SandboxPool(config)
    if not hasattr(request.config, "workerinput"):
        graded = {task_number(item) for item in request.session.items}
        for plan in plans.PLANS:
            if plan.task in graded:
                pool.start(plan)
    yield pool
    pool.close()


@pytest.fixture(scope="session", autouse=True)
def _sandbox_starts_with_the_session(request: pytest.FixtureRequest) -> None:
    """Start the submission files' runs with the first check, so they overlap the account's checks."""
    if SETTINGS_KEY in request.config.stash and any(plan.file for plan in plans.PLANS):
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

"""The GitHub Actions workflows, checked statically: what GitHub Classroom and the matrix rely on."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests import harness

WORKFLOWS = harness.PROJECT_ROOT / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop("on", document.pop(True, None))  # YAML 1.1 reads `on` as True
    return document


def step(job: dict[str, Any], uses: str) -> dict[str, Any]:
    (found,) = [s for s in job["steps"] if s.get("uses", "").startswith(uses)]
    return found


def commands(job: dict[str, Any]) -> str:
    return "\n".join(s.get("run", "") for s in job["steps"])


@pytest.fixture(scope="module")
def classroom() -> dict[str, Any]:
    return load("classroom.yml")


def test_classroom_workflow_is_what_github_classroom_expects(classroom: dict[str, Any]) -> None:
    assert classroom["name"] == "Autograding Tests"
    assert set(classroom["jobs"]) == {"run-autograding-tests"}
    assert {"push", "repository_dispatch"} <= set(classroom["on"])
    assert classroom["permissions"]["checks"] == "write"


def test_classroom_workflow_assumes_the_role_through_oidc(classroom: dict[str, Any]) -> None:
    job = classroom["jobs"]["run-autograding-tests"]
    assert classroom["permissions"]["id-token"] == "write"
    aws = step(job, "aws-actions/configure-aws-credentials")["with"]
    assert aws["role-to-assume"] == "${{ vars.GRADER_ROLE_ARN }}"
    assert not re.search(r"AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)", (WORKFLOWS / "classroom.yml").read_text())


def test_reporter_receives_the_graders_own_runner_result(classroom: dict[str, Any]) -> None:
    job = classroom["jobs"]["run-autograding-tests"]
    (grading,) = [s for s in job["steps"] if "--github-classroom-result=" in s.get("run", "")]
    reporter = step(job, "classroom-resources/autograding-grading-reporter")
    runner = reporter["with"]["runners"]
    assert runner == grading["id"]
    assert reporter["env"][f"{runner.upper()}_RESULTS"] == f"${{{{ steps.{runner}.outputs.result }}}}"
    assert "--exit-zero-when-graded" in grading["run"]  # the reporter, not the step, fails the job


def test_student_id_is_resolved_from_the_actions_context(classroom: dict[str, Any]) -> None:
    text = commands(classroom["jobs"]["run-autograding-tests"])
    assert "GITHUB_REPOSITORY" in text and "GITHUB_ACTOR" in text and "STUDENT_ID=" in text


def test_class_grading_runs_every_shard_then_merges() -> None:
    workflow = load("class-grading.yml")
    grade, merge = workflow["jobs"]["grade"], workflow["jobs"]["merge"]
    shards = grade["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    assert "--shard=${{ matrix.shard }}/$SHARDS" in commands(grade)
    assert "--roster=" in commands(grade) and "--grades-dir=grades" in commands(grade)
    assert merge["needs"] == "grade"
    assert step(merge, "actions/download-artifact")["with"]["pattern"] == "grades-shard-*"
    assert "grader-merge --out class-grades shards/*" in commands(merge)
    assert step(grade, "actions/upload-artifact")["with"]["name"] == "grades-shard-${{ matrix.shard }}"


ALL_WORKFLOWS = sorted(path.name for path in WORKFLOWS.glob("*.yml"))
PYTEST_CALL = re.compile(r"python3?( -\w+)* -m pytest")


@pytest.mark.parametrize("name", ALL_WORKFLOWS)
def test_checkouts_leave_no_token_on_disk(name: str) -> None:
    """Student code is graded from these folders: no credentials persisted in any .git/config."""
    for job in load(name)["jobs"].values():
        for checkout in [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout")]:
            assert checkout.get("with", {}).get("persist-credentials") is False, (name, checkout)
        assert not re.search(r"https://[^\s\"/]*:\$\{?\w+\}?@", commands(job)), name  # token in a URL


@pytest.mark.parametrize("name", ALL_WORKFLOWS)
def test_the_grader_runs_with_nothing_importable_from_the_working_directory(name: str) -> None:
    calls = [m.group(0) for job in load(name)["jobs"].values() for m in PYTEST_CALL.finditer(commands(job))]
    assert all(" -P " in f"{call} " for call in calls), (name, calls)


SANDBOX_STEP = re.compile(r"apt-get install[^\n]*bubblewrap[\s\S]*apparmor_restrict_unprivileged_userns=0")
GRADES = re.compile(r"-m pytest|runner\.py")


@pytest.mark.parametrize("name", ALL_WORKFLOWS)
def test_jobs_that_grade_install_the_sandbox_first(name: str) -> None:
    """Grading other people's code refuses to run it unisolated: the runner gets bubblewrap first."""
    for job_name, job in load(name)["jobs"].items():
        runs = [s.get("run", "") for s in job["steps"]]
        grading = [i for i, run in enumerate(runs) if GRADES.search(run)]
        if grading:
            sandbox = [i for i, run in enumerate(runs) if SANDBOX_STEP.search(run)]
            assert sandbox and sandbox[0] < grading[0], (name, job_name)


def test_the_gradescope_image_installs_the_sandbox() -> None:
    assert "bubblewrap" in (harness.PROJECT_ROOT / "gradescope" / "setup.sh").read_text()


def test_the_checks_above_catch_what_they_guard_against() -> None:
    assert not SANDBOX_STEP.search("sudo apt-get install -y chromium")
    assert GRADES.search("python -P -m pytest")
    assert not re.search(r"https://[^\s\"/]*:\$\{?\w+\}?@", "git clone https://github.com/o/r")
    assert re.search(
        r"https://[^\s\"/]*:\$\{?\w+\}?@", 'git clone "https://x-access-token:${TOKEN}@github.com/o/r"'
    )
    assert " -P " not in "python -m pytest " and PYTEST_CALL.search("python -m pytest -n 2")


def test_classroom50_runner_grades_with_aws_and_the_grader() -> None:
    """The runner workflow the stock Classroom 50 runner lacks: OIDC, Python, the grader, runner.py."""
    workflow = load("classroom50-runner.yml")
    assert "workflow_call" in workflow["on"] and workflow["permissions"]["id-token"] == "write"
    (job,) = workflow["jobs"].values()
    names = [s.get("uses", "").split("@")[0] or s.get("name", "") for s in job["steps"]]
    order = ["actions/setup-python", "Install the grader", "aws-actions/configure-aws-credentials"]
    grading = next(i for i, s in enumerate(job["steps"]) if s.get("id") == "autograde")
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)
    assert all(names.index(n) < grading for n in order)
    env = job["steps"][grading]["env"]
    assert {"PAGES_BASE_URL", "CLASSROOM", "ASSIGNMENT", "SUBMISSION_TAG", "GRADER_DIR"} <= set(env)
    assert "runner.py" in job["steps"][grading]["run"]
    assert (
        step(job, "aws-actions/configure-aws-credentials")["with"]["role-to-assume"]
        == "${{ vars.GRADER_ROLE_ARN }}"
    )
    release = [s for s in job["steps"] if "gh release create" in s.get("run", "")]
    assert len(release) == 1 and "status != 'error'" in release[0]["if"]

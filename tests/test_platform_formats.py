"""Platform outputs, each validated against its format: Gradescope, GitHub Classroom, Classroom 50.

The formats are written down here as JSON Schemas from each platform's documented contract
(field names and types); totals are checked against the grade they render.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from grader.assessment import MAX_SCORE, TASKS
from grader.grade import CheckResult, Grade, build_grade
from grader.reports import classroom, classroom50, github, gradescope
from tests import harness

NUMBER = {"type": "number", "minimum": 0}
TEXT = {"type": "string"}

GRADESCOPE_SCHEMA = {  # gradescope-autograders.readthedocs.io, "Output format"
    "type": "object",
    "required": ["score", "execution_time", "output", "tests"],
    "properties": {
        "score": NUMBER,
        "execution_time": NUMBER,
        "output": TEXT,
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status", "output", "visibility"],
                "properties": {
                    "name": TEXT,
                    "score": NUMBER,
                    "max_score": NUMBER,
                    "status": {"enum": ["passed", "failed"]},
                    "output": TEXT,
                    "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                },
            },
        },
    },
}

RUNNER_SCHEMA = {  # what autograding-grading-reporter decodes from <ID>_RESULTS; tests placed like
    "type": "object",  # the command grader's (filename, line_no, test_code)
    "required": ["version", "status", "max_score", "tests"],
    "properties": {
        "version": {"const": 1},
        "status": {"enum": ["pass", "fail", "error"]},
        "max_score": NUMBER,
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "status", "score", "message", "filename", "line_no", "test_code"],
                "properties": {
                    "name": TEXT,
                    "status": {"enum": ["pass", "fail", "error"]},
                    "score": NUMBER,
                    "message": TEXT,
                    "filename": TEXT,
                    "line_no": {"type": "integer", "minimum": 0},
                    "test_code": TEXT,
                },
            },
        },
    },
}

UTC_SECONDS = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$"}
NON_EMPTY = {"type": "string", "minLength": 1}
COUNT = {"type": "integer", "minimum": 0}
CLASSROOM50_SCHEMA = {  # classroom50/result/v1: closed top level, integer points
    "type": "object",
    "additionalProperties": False,
    "required": [
        "schema", "classroom", "assignment", "assignment_type", "owner", "submission", "commit",
        "release", "review", "datetime", "score", "max-score", "tests",
    ],
    "properties": {
        "schema": {"const": "classroom50/result/v1"},
        "classroom": NON_EMPTY,
        "assignment": NON_EMPTY,
        "assignment_type": {"enum": ["individual", "group"]},
        "owner": NON_EMPTY,
        "submission": {"type": "string", "pattern": "^submit/"},
        "commit": NON_EMPTY,
        "release": NON_EMPTY,
        "review": NON_EMPTY,
        "datetime": UTC_SECONDS,
        "graded_at": UTC_SECONDS,
        "score": COUNT,
        "max-score": COUNT,
        "submitted_by": {
            "type": "object",
            "additionalProperties": False,
            "required": ["username"],
            "properties": {"username": NON_EMPTY, "id": {"type": ["integer", "null"]}},
        },
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["test-name", "passed", "score", "max-score"],
                "properties": {
                    "test-name": NON_EMPTY,
                    "passed": {"type": "boolean"},
                    "score": COUNT,
                    "max-score": COUNT,
                    "message": TEXT,
                },
            },
        },
    },
}  # fmt: skip


def runner_accepts(result: dict[str, Any], environ: dict[str, str]) -> None:
    """What the Classroom 50 runner does with result.json after the autograder exits 0: stamp the
    identity it owns, then validate (the schema, the identity, the cross-field rules)."""
    stamped = result | {
        "owner": environ["USERNAME"], "assignment_type": "individual", "datetime": "2026-06-01T14:32:05Z",
        "submitted_by": {"username": "alice", "id": 7},
    }  # fmt: skip
    jsonschema.validate(stamped, CLASSROOM50_SCHEMA)
    assert (stamped["classroom"], stamped["assignment"]) == (environ["CLASSROOM"], environ["ASSIGNMENT"])
    assert stamped["score"] <= stamped["max-score"]
    assert all(test["score"] <= test["max-score"] for test in stamped["tests"])


def reporter_totals(runner: dict[str, Any]) -> set[float]:
    """Every total autograding-grading-reporter prints for one runner: the Points notice (sum of
    scores), the console and table totals (passed tests / tests x max_score)."""
    tests = runner["tests"]
    passed = sum(test["status"] == "pass" for test in tests)
    return {sum(test["score"] for test in tests), passed / len(tests) * runner["max_score"]}


def synthetic_grade(*, error: bool = False) -> Grade:
    """Each task's weight in two checks: task 1 fails one (5/10), task 2 fails or errors both (0/8)."""
    statuses = {1: ("passed", "failed"), 2: ("error" if error else "failed", "failed")}
    results = [
        CheckResult(task.number, f"check {half} of task {task.number}", status, task.points / 2,
                    "" if status == "passed" else f"found x; expected y. Fix {task.number}.{half}.",
                    (half, f"t{task.number}-{half}"))
        for task in TASKS
        for half, status in enumerate(statuses.get(task.number, ("passed", "passed")))
    ]  # fmt: skip
    return build_grade("alice", "moto", results)


def by_task(names_and_scores: list[tuple[str, float]]) -> dict[int, float]:
    totals: dict[int, float] = {}
    for name, score in names_and_scores:
        number = int(name.removeprefix("Task ").split(":")[0])
        totals[number] = totals.get(number, 0) + score
    return totals


def assert_renders(grade: Grade | dict[str, Any], gs: dict, runner: dict, c50: dict) -> None:
    """Every format validates, and its totals and per-task points are the grade's."""
    data = grade.to_dict() if isinstance(grade, Grade) else grade
    task_scores = {task["task"]: task["score"] for task in data["tasks"]}
    jsonschema.validate(gs, GRADESCOPE_SCHEMA)
    jsonschema.validate(runner, RUNNER_SCHEMA)
    jsonschema.validate(c50, CLASSROOM50_SCHEMA)
    assert gs["score"] == data["score"] == pytest.approx(sum(t["score"] for t in gs["tests"]))
    assert sum(t["max_score"] for t in gs["tests"]) == data["max_score"] == MAX_SCORE
    assert by_task([(t["name"], t["score"]) for t in gs["tests"]]) == pytest.approx(task_scores)
    assert runner["max_score"] == data["max_score"]
    assert reporter_totals(runner) == {data["score"]}
    assert by_task([(t["name"], t["score"]) for t in runner["tests"]]) == pytest.approx(task_scores)
    assert c50["score"] == sum(t["score"] for t in c50["tests"]) == data["score"]
    assert c50["max-score"] == sum(t["max-score"] for t in c50["tests"]) == data["max_score"]
    assert [t["score"] for t in c50["tests"]] == [task_scores[t.number] for t in TASKS]
    assert [t["passed"] for t in c50["tests"]] == [task["status"] == "passed" for task in data["tasks"]]


# pure: a synthetic grade ---------------------------------------------------------------------------
def test_formats_of_a_partial_grade() -> None:
    grade = synthetic_grade()
    now = datetime(2026, 6, 1, 14, 33, 11, tzinfo=UTC)
    c50 = classroom50.result(grade, {"USERNAME": "alice"}, now)
    assert_renders(grade, gradescope.results(grade, 12.3), classroom.runner_result(grade), c50)
    runner = classroom.runner_result(grade)
    assert runner["status"] == "fail"
    assert [t["status"] for t in runner["tests"][:10]] == ["pass"] * 5 + ["fail"] * 5
    assert runner["tests"][0]["name"] == "Task 1: check 0 of task 1 (1/5)"
    assert grade.score == MAX_SCORE - 5 - 8
    assert c50["owner"] == "alice" and c50["datetime"] == "2026-06-01T14:33:11Z"
    task1 = c50["tests"][0]
    assert (task1["passed"], task1["score"], task1["max-score"]) == (False, 5, 10)
    assert task1["message"] == "check 1 of task 1: found x; expected y. Fix 1.1."


def test_an_error_is_never_the_students_failure_in_any_format() -> None:
    grade = synthetic_grade(error=True)
    gs = gradescope.results(grade, 1)
    runner = classroom.runner_result(grade)
    assert runner["status"] == "error"
    (first_error,) = [t for t in runner["tests"] if t["status"] == "error"][:1]
    assert first_error["message"].startswith("Task 2, check 0 of task 2: not graded (not your fault)")
    assert gs["tests"][2]["status"] == "failed" and "not your fault" in gs["tests"][2]["output"]
    assert "INCOMPLETE" in gs["output"] and gs["extra_data"]["complete"] is False


def test_classroom50_identity_comes_from_the_runner_environment() -> None:
    environ = {
        "USERNAME": "alice", "OWNER": "alice", "CLASSROOM": "cs-aws", "ASSIGNMENT": "dynamodb",
        "SUBMISSION_TAG": "submit/2026-06-01T14-32-05Z-a1b2c3d", "COMMIT_URL": "https://x/commit/a1",
        "RELEASE_URL": "https://x/releases/tag/s", "ASSIGNMENT_TYPE": "individual",
    }  # fmt: skip
    result = classroom50.result(synthetic_grade(), environ, datetime.now(UTC))
    jsonschema.validate(result, CLASSROOM50_SCHEMA)
    assert (result["classroom"], result["assignment"], result["submission"]) == (
        "cs-aws",
        "dynamodb",
        "submit/2026-06-01T14-32-05Z-a1b2c3d",
    )
    assert result["review"] == result["commit"] == "https://x/commit/a1"


def test_runner_result_reaches_the_reporter_as_base64_step_output(tmp_path: Path) -> None:
    grade = synthetic_grade()
    outputs = tmp_path / "github_output"
    result = classroom.runner_result(grade)
    classroom.write_runner_result(result, tmp_path / "runner.json", {"GITHUB_OUTPUT": str(outputs)})
    (line,) = outputs.read_text().splitlines()
    name, encoded = line.split("=", 1)
    assert name == "result"
    assert json.loads(base64.b64decode(encoded)) == json.loads((tmp_path / "runner.json").read_text())


def test_step_summary_is_the_grade_table(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    assert github.append_step_summary(synthetic_grade(), {"GITHUB_STEP_SUMMARY": str(summary)})
    assert not github.append_step_summary(synthetic_grade(), {})
    text = summary.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(TASKS)
    assert rows[0] == "| 1 | Orders table with composite key | 5/10 | 🟡 partial |"
    assert f"**Total: {MAX_SCORE - 13:g}/{MAX_SCORE:g}**" in text
    assert "- Task 2, check 0 of task 2: found x\\; expected y\\. Fix 2\\.0\\." in text  # escaped Markdown


# through the real entry points ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def one_mistake(moto_endpoint: str) -> str:
    """The reference deployment minus one tag: task 1 scores partially."""
    student_id = harness.new_student_id("fmt")
    deployment = harness.deploy_reference(moto_endpoint, student_id)
    dynamodb = deployment.client("dynamodb")
    arn = dynamodb.describe_table(TableName=f"orders-{student_id}")["Table"]["TableArn"]
    dynamodb.untag_resource(ResourceArn=arn, TagKeys=["Application"])
    return student_id


def test_grader_options_write_every_format(moto_endpoint: str, one_mistake: str, tmp_path: Path) -> None:
    env = harness.clean_env(GITHUB_OUTPUT=str(tmp_path / "out"), GITHUB_STEP_SUMMARY=str(tmp_path / "sum"))
    run = harness.run_grader(
        tmp_path, f"--student-id={one_mistake}", "--target=localstack", f"--endpoint-url={moto_endpoint}",
        f"--submission-dir={harness.PROJECT_ROOT / 'solution'}", f"--gradescope-json={tmp_path / 'gs.json'}",
        f"--github-classroom-result={tmp_path / 'runner.json'}", env=env,
    )  # fmt: skip
    assert run.grade is not None, run.output
    assert run.task(1)["status"] == "partial", run.output
    gs = json.loads((tmp_path / "gs.json").read_text())
    runner = json.loads((tmp_path / "runner.json").read_text())
    c50 = classroom50.result(reload(run.grade), {}, datetime.now(UTC))
    assert_renders(run.grade, gs, runner, c50)
    encoded = (tmp_path / "out").read_text().removeprefix("result=").strip()
    assert json.loads(base64.b64decode(encoded)) == runner
    assert f"**Total: {run.grade['score']:g}/100**" in (tmp_path / "sum").read_text()


def reload(data: dict[str, Any]) -> Grade:
    """A Grade with grade.json's checks (for rendering a format from a finished run)."""
    results = [
        CheckResult(
            task["task"], check["name"], check["status"], check["max_points"], check["message"], (i, "")
        )
        for task in data["tasks"]
        for i, check in enumerate(task["checks"])
    ]
    return build_grade(data["student_id"], data["target"], results)


SHADOWS = ("boto3.py", "grader.py", "pytest.py", "conftest.py")
SHADOW = """import pathlib
pathlib.Path({marker!r}).write_text("imported {name}")

def pytest_runtest_makereport(item, call):  # as conftest.py: every check would pass
    call.excinfo = None
"""


def hostile_checkout(tmp_path: Path) -> tuple[Path, Path]:
    """The reference submission plus modules that would patch the grader if it imported them, and
    the file they write when imported."""
    checkout, marker = tmp_path / "checkout", tmp_path / "shadow-imported"
    shutil.copytree(harness.PROJECT_ROOT / "solution", checkout, ignore=shutil.ignore_patterns("__pycache__"))
    for name in SHADOWS:
        (checkout / name).write_text(SHADOW.format(marker=str(marker), name=name))
    return checkout, marker


def test_shadowing_modules_are_imported_from_a_working_directory(tmp_path: Path) -> None:
    """What the grader's entry points guard against: Python imports these from the working directory."""
    checkout, marker = hostile_checkout(tmp_path)
    subprocess.run([sys.executable, "-c", "import boto3"], cwd=checkout, env=harness.clean_env(), check=True)
    assert marker.read_text() == "imported boto3.py"


def classroom50_environment(tmp_path: Path, username: str | None, **extra: str) -> dict[str, str]:
    """The environment the Classroom 50 runner gives its entrypoint (job env plus what it adds)."""
    env = harness.clean_env(
        CLASSROOM="cs-aws", ASSIGNMENT="dynamodb-medium", MODE="individual",
        SUBMISSION_TAG="submit/2026-06-01T14-32-05Z-a1b2c3d", PAGES_BASE_URL="https://org.github.io/classroom50",
        GITHUB_REPOSITORY=f"org/cs-aws-dynamodb-medium-{username}", GITHUB_SHA="a1b2c3d",
        GITHUB_OUTPUT=str(tmp_path / "github_output"), CLASSROOM50_BUNDLE_DIR=str(tmp_path / "runtime"),
        OWNER=username or "", ASSIGNMENT_TYPE="individual", COMMIT_URL="https://example.test/commit/a1",
        RELEASE_URL="https://example.test/releases/s", REVIEW_URL="https://example.test/compare/a0...a1",
        GRADER_DIR=str(harness.PROJECT_ROOT), **extra,
    )  # fmt: skip
    env.pop("USERNAME", None)
    if username is not None:
        env["USERNAME"] = username
    return env


def run_as_classroom50(
    tmp_path: Path, checkout: Path, env: dict[str, str]
) -> tuple[int, str, dict[str, str]]:
    """autograder.py launched as the runner launches it: its own Python runs the copy it fetched into a
    runtime folder (not this project), in the student's checkout. Returns exit code, output, outputs."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    shutil.copy(harness.PROJECT_ROOT / "autograder.py", runtime / "autograder.py")
    done = subprocess.run(
        [sys.executable, str(runtime / "autograder.py")],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    outputs = Path(env["GITHUB_OUTPUT"])
    lines = outputs.read_text().splitlines() if outputs.exists() else []
    return done.returncode, done.stdout + done.stderr, dict(line.split("=", 1) for line in lines)


@pytest.fixture(scope="module")
def full_marks(moto_endpoint: str) -> str:
    student_id = harness.new_student_id("c50")
    harness.deploy_reference(moto_endpoint, student_id)
    return student_id


@pytest.mark.parametrize("case", ["full", "partial", "incomplete"])
def test_classroom50_runner_accepts_the_result(
    case: str, moto_endpoint: str, full_marks: str, one_mistake: str, tmp_path: Path
) -> None:
    """Under the runner's launch contract the result validates and is the grade, and modules in the
    student's checkout that would patch the grader are never imported by it."""
    student = {"full": full_marks, "partial": one_mistake, "incomplete": one_mistake}[case]
    endpoint = "http://127.0.0.1:9" if case == "incomplete" else moto_endpoint  # nothing listens on 9
    env = classroom50_environment(tmp_path, student, GRADER_TARGET="localstack", AWS_ENDPOINT_URL=endpoint)
    checkout, marker = hostile_checkout(tmp_path)
    code, output, outputs = run_as_classroom50(tmp_path, checkout, env)
    assert code == 0, output  # the runner publishes result.json only after exit 0
    grade = json.loads((checkout / "grade.json").read_text())
    result = json.loads((checkout / "result.json").read_text())
    runner_accepts(result, env)
    assert not marker.exists(), marker.read_text()
    assert result["score"] == grade["score"] and result["max-score"] == grade["max_score"] == MAX_SCORE
    assert [t["score"] for t in result["tests"]] == [t["score"] for t in grade["tasks"]]
    assert (
        f"{result['score']}/100" in outputs["summary"]
        and f"{result['score']}/100" in (checkout / "release-body.md").read_text()
    )
    expected = {"full": ("success", True), "partial": ("failure", True), "incomplete": ("error", False)}[case]
    assert (outputs["status"], grade["complete"]) == expected, output
    if case == "full":
        assert grade["score"] == MAX_SCORE, output
    if case == "partial":  # one tag missing, and nothing gained from the shadowing modules
        assert result["tests"][0]["passed"] is False and "Application" in result["tests"][0]["message"]


@pytest.mark.parametrize("username", [None, "alice.smith"])
def test_classroom50_unusable_username_is_a_zero_grade_that_says_why(
    username: str | None, tmp_path: Path
) -> None:
    env = classroom50_environment(tmp_path, username)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    code, output, outputs = run_as_classroom50(tmp_path, checkout, env)
    assert code == 0, output
    result = json.loads((checkout / "result.json").read_text())
    runner_accepts(result, env | {"USERNAME": username or "unknown"})
    assert (result["score"], result["max-score"], outputs["status"]) == (0, MAX_SCORE, "failure")
    message = result["tests"][0]["message"]
    assert ("USERNAME" in message) if username is None else (repr(username) in message), message
    assert "Ask your instructor" in message or "ask your instructor" in message
    assert "Not graded" in (checkout / "release-body.md").read_text()


def plant_outputs(folder: Path, names: tuple[str, ...], outside: Path) -> None:
    """What a checkout can hold where the grader writes: a directory (the first name), a symlink to a
    file outside it, a symlink to a directory, a dangling symlink, in turn."""
    (folder / names[0]).mkdir()
    (folder / names[0] / "keep").write_text("planted")
    plants = [
        lambda p: p.symlink_to(outside),
        lambda p: p.symlink_to(outside.parent),
        lambda p: p.symlink_to("gone"),
    ]
    for name, plant in zip(names[1:], plants, strict=False):
        plant(folder / name)


def outside_file(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "notes.md"
    path.parent.mkdir()
    path.write_text("not the grader's")
    return path


def test_classroom50_publishes_the_grade_over_what_the_checkout_planted(
    moto_endpoint: str, full_marks: str, tmp_path: Path
) -> None:
    """A directory where result.json goes (symlinks where the other outputs go): the complete grade is
    still published in the checkout, the planted entries are replaced, and nothing outside changes."""
    env = classroom50_environment(
        tmp_path, full_marks, GRADER_TARGET="localstack", AWS_ENDPOINT_URL=moto_endpoint
    )
    checkout, _ = hostile_checkout(tmp_path)
    outside = outside_file(tmp_path)
    names = ("result.json", "release-body.md", "report.html", "grade.json")
    plant_outputs(checkout, names, outside)
    code, output, outputs = run_as_classroom50(tmp_path, checkout, env)
    assert code == 0, output
    assert all((checkout / name).is_file() and not (checkout / name).is_symlink() for name in names), output
    grade = json.loads((checkout / "grade.json").read_text())
    result = json.loads((checkout / "result.json").read_text())
    assert grade["complete"] and result["score"] == grade["score"] == MAX_SCORE, output
    assert outputs["status"] == "success" and "100/100" in (checkout / "release-body.md").read_text()
    assert outside.read_text() == "not the grader's" and [p.name for p in outside.parent.iterdir()] == [
        "notes.md"
    ]
    assert "removed result.json from the checkout before grading" in output


def test_classroom50_clears_a_forged_result_even_when_the_grader_cannot_be_had(tmp_path: Path) -> None:
    """A result.json the student committed is gone before anything can fail (no grader here)."""
    env = {**classroom50_environment(tmp_path, "alice"), "GRADER_DIR": str(tmp_path / "no-grader")}
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "result.json").write_text('{"score": 100}')
    code, output, _ = run_as_classroom50(tmp_path, checkout, env)
    assert code != 0 and not (checkout / "result.json").exists(), output


def test_every_output_format_writes_over_what_its_path_held(
    moto_endpoint: str, one_mistake: str, tmp_path: Path
) -> None:
    """--classroom50 run in a checkout, with every output path pre-occupied: a complete grade, each
    output a regular file, nothing outside written."""
    outside = outside_file(tmp_path)
    names = ("grade.json", "report.html", "result.json", "gs.json", "release-body.md", "runner.json")
    plant_outputs(tmp_path, names, outside)
    project = harness.PROJECT_ROOT
    code, output = harness.run_pytest(
        tmp_path, f"--rootdir={project}", "-c", f"{project}/pytest.ini", f"{project}/tests_assessment",
        f"--student-id={one_mistake}", "--target=localstack", f"--endpoint-url={moto_endpoint}",
        f"--submission-dir={project / 'solution'}", "--grade-json=grade.json", "--html=report.html",
        "--gradescope-json=gs.json", "--github-classroom-result=runner.json", "--classroom50",
    )  # fmt: skip
    assert code == 0, output
    assert all((tmp_path / name).is_file() and not (tmp_path / name).is_symlink() for name in names), output
    grade = json.loads((tmp_path / "grade.json").read_text())
    assert grade["complete"] and json.loads((tmp_path / "gs.json").read_text())["score"] == grade["score"]
    assert outside.read_text() == "not the grader's" and [p.name for p in outside.parent.iterdir()] == [
        "notes.md"
    ]


def gradescope_metadata(folder: Path, *users: dict[str, Any]) -> Path:
    """submission_metadata.json as Gradescope writes it (the fields the grader reads, and some others)."""
    path = folder / "submission_metadata.json"
    document = {
        "id": 123456, "created_at": "2026-06-01T14:22:32.365935-07:00", "submission_method": "upload",
        "assignment": {"id": 25828, "course_id": 1234, "title": "DynamoDB Medium", "total_points": "100.0"},
        "users": list(users), "previous_submissions": [],
    }  # fmt: skip
    path.write_text(json.dumps(document))
    return path


def gradescope_user(sid: str | None, email: str = "eve@example.edu") -> dict[str, Any]:
    return {"email": email, "id": 1234, "name": "Eve Student", "sid": sid}


def run_gradescope(
    tmp_path: Path, submission: Path, metadata: Path, **extra: str
) -> subprocess.CompletedProcess:
    """gradescope/run_autograder with Gradescope's folders and metadata moved under tmp_path."""
    env = harness.clean_env(
        GRADER_SOURCE=str(harness.PROJECT_ROOT), GRADER_SUBMISSION=str(submission),
        GRADER_RESULTS=str(tmp_path / "results"), GRADER_PYTHON=sys.executable, GRADER_METADATA=str(metadata),
        **extra,
    )  # fmt: skip
    script = harness.PROJECT_ROOT / "gradescope" / "run_autograder"
    return subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=600, check=False)


def test_gradescope_run_autograder(moto_endpoint: str, one_mistake: str, tmp_path: Path) -> None:
    """The id is the SID of Gradescope's roster; a student_id.txt that repeats it is harmless."""
    submission, marker = hostile_checkout(tmp_path)
    (submission / "student_id.txt").write_text(f" {one_mistake}\r\n")
    metadata = gradescope_metadata(tmp_path, gradescope_user(one_mistake))
    done = run_gradescope(
        tmp_path, submission, metadata, GRADER_TARGET="localstack", AWS_ENDPOINT_URL=moto_endpoint
    )
    gs = json.loads((tmp_path / "results" / "results.json").read_text())
    grade = json.loads((tmp_path / "results" / "grade.json").read_text())
    jsonschema.validate(gs, GRADESCOPE_SCHEMA)
    assert gs["score"] == grade["score"] == pytest.approx(sum(t["score"] for t in gs["tests"]))
    assert done.returncode == (0 if grade["complete"] else 6), done.stdout + done.stderr
    assert not marker.exists() and grade["student_id"] == one_mistake
    assert grade["tasks"][0]["status"] == "partial"  # the shadowing conftest.py gained nothing


def assert_refused(done: subprocess.CompletedProcess, results: Path, *says: str) -> str:
    """A usage error (4) answered in results.json: score 0, no tests, the reason; returns it."""
    assert done.returncode == 4, done.stdout + done.stderr
    gs = json.loads((results / "results.json").read_text())
    jsonschema.validate(gs, GRADESCOPE_SCHEMA)
    assert gs["score"] == 0 and gs["tests"] == [] and not (results / "grade.json").exists()
    assert all(part in gs["output"] for part in says), gs["output"]
    return gs["output"]


def test_gradescope_student_id_txt_naming_a_classmate_earns_nothing_of_theirs(
    moto_endpoint: str, full_marks: str, tmp_path: Path
) -> None:
    """eve, who has deployed nothing, names a classmate whose work is worth 100 in student_id.txt."""
    submission = tmp_path / "submission"
    shutil.copytree(
        harness.PROJECT_ROOT / "solution", submission, ignore=shutil.ignore_patterns("__pycache__")
    )
    (submission / "student_id.txt").write_text(full_marks + "\n")
    metadata = gradescope_metadata(tmp_path, gradescope_user("eve"))
    done = run_gradescope(
        tmp_path, submission, metadata, GRADER_TARGET="localstack", AWS_ENDPOINT_URL=moto_endpoint
    )
    assert_refused(
        done, tmp_path / "results", f"names {full_marks!r}", "you are 'eve'", "Delete student_id.txt"
    )


@pytest.mark.parametrize(
    ("users", "id_file", "says"),
    [
        (None, None, "could not be read"),
        ([gradescope_user(None)], None, "no student ID (SID) for eve@example.edu"),
        ([gradescope_user("")], None, "no student ID (SID)"),
        ([gradescope_user("alice.smith")], None, "'alice.smith', cannot name a table"),
        ([gradescope_user("eve"), gradescope_user("bob", "bob@example.edu")], None, "group submission of 2"),
        ([gradescope_user("eve")], "not an id!", "does not hold a student id"),
        ([gradescope_user("eve")], "symlink", "is not a plain file"),
    ],
    ids=["no metadata", "no sid", "empty sid", "invalid sid", "group", "garbage id file", "linked id file"],
)  # fmt: skip
def test_gradescope_without_a_usable_id_is_a_zero_grade_that_says_why(
    users: list[dict[str, Any]] | None, id_file: str | None, says: str, tmp_path: Path
) -> None:
    submission = tmp_path / "submission"
    submission.mkdir()
    secret = tmp_path / "grader.env"
    secret.write_text("AWS_SECRET_ACCESS_KEY=never-shown\n")
    if id_file == "symlink":  # the grader's key, were the link followed and its text echoed
        (submission / "student_id.txt").symlink_to(secret)
    elif id_file is not None:
        (submission / "student_id.txt").write_text(id_file)
    metadata = tmp_path / "missing.json" if users is None else gradescope_metadata(tmp_path, *users)
    output = assert_refused(run_gradescope(tmp_path, submission, metadata), tmp_path / "results", says)
    assert "never-shown" not in output and "not an id!" not in output


def test_gradescope_instructor_list_of_ids_names_the_student(tmp_path: Path) -> None:
    """The instructor's list (email -> id) decides over the SID; it is made unreadable to others."""
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "student_id.txt").write_text("bob")
    id_map = tmp_path / "student_ids.csv"
    id_map.write_text("email,student_id\nEve@Example.edu,eve-42\n")
    metadata = gradescope_metadata(tmp_path, gradescope_user("12345678"))
    done = run_gradescope(tmp_path, submission, metadata, GRADER_ID_MAP=str(id_map))
    assert_refused(done, tmp_path / "results", "names 'bob'", "instructor's list of student ids", "'eve-42'")
    assert id_map.stat().st_mode & 0o077 == 0


def test_gradescope_scripts_are_executable_bash() -> None:
    for name in ("setup.sh", "run_autograder"):
        script = harness.PROJECT_ROOT / "gradescope" / name
        assert os.access(script, os.X_OK), name
        assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0, name


@pytest.mark.parametrize(
    ("schema", "document", "change"),
    [
        (CLASSROOM50_SCHEMA, "c50", {"score": 86.5}),
        (CLASSROOM50_SCHEMA, "c50", {"submission": "main"}),
        (CLASSROOM50_SCHEMA, "c50", {"usernames": ["alice"]}),
        (CLASSROOM50_SCHEMA, "c50", {"datetime": "2026-06-01 14:33:11"}),
        (CLASSROOM50_SCHEMA, "c50", {"tests": [{"test-name": "t", "passed": "yes", "score": 1,
                                                "max-score": 1}]}),
        (GRADESCOPE_SCHEMA, "gs", {"tests": [{"name": "t", "score": 1, "max_score": 1, "status": "error",
                                              "output": "", "visibility": "visible"}]}),
        (GRADESCOPE_SCHEMA, "gs", {"score": "87"}),
        (RUNNER_SCHEMA, "runner", {"status": "failed"}),
        (RUNNER_SCHEMA, "runner", {"tests": [{"name": "t", "status": "pass", "score": 1}]}),
    ],
)  # fmt: skip
def test_format_schemas_reject_what_the_platforms_reject(schema: dict, document: str, change: dict) -> None:
    grade = synthetic_grade()
    valid = {
        "c50": classroom50.result(grade, {}, datetime.now(UTC)),
        "gs": gradescope.results(grade, 1),
        "runner": classroom.runner_result(grade),
    }[document]
    jsonschema.validate(valid, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(valid | change, schema)


def test_the_suite_weighs_checks_in_whole_points(reference_run: harness.GraderRun) -> None:
    """Every platform shows the grade's own integer total because every check weight is whole."""
    assert reference_run.grade is not None, reference_run.output
    for task, info in zip(reference_run.grade["tasks"], TASKS, strict=True):
        weights = [check["max_points"] for check in task["checks"]]
        assert all(float(w).is_integer() for w in weights) and sum(weights) == info.points, task


def test_a_fractional_weight_is_a_grader_defect_not_a_rounded_score() -> None:
    results = [CheckResult(1, "a", "passed", 8.5), CheckResult(1, "b", "failed", 1.5, "no")]
    task = build_grade("alice", "moto", results).tasks[0]
    assert (task.status, "not whole" in task.problem) == ("error", True)
    whole = build_grade(
        "alice", "moto", [CheckResult(1, "a", "passed", 8), CheckResult(1, "b", "failed", 2, "no")]
    )
    assert whole.tasks[0].status == "partial"

"""--target=localstack finds LocalStack the way its users configure it (localstack-client's variables)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from grader.aws.emulator import LOCALSTACK_ENDPOINT, localstack_endpoint
from tests import harness

TASK1 = "tests_assessment/test_task01_table.py"
"""Deployment checks only: enough to show the grader reached the student's resources."""


@pytest.mark.parametrize(
    ("environ", "endpoint"),
    [
        ({}, LOCALSTACK_ENDPOINT),
        ({"LOCALSTACK_HOST": "ls.internal"}, "http://ls.internal:4566"),
        ({"LOCALSTACK_HOST": "ls.internal:4666"}, "http://ls.internal:4666"),
        ({"EDGE_PORT": "4600"}, "http://localhost:4600"),
        ({"LOCALSTACK_HOST": "ls:4700", "EDGE_PORT": "4600"}, "http://ls:4700"),
        ({"USE_SSL": "1", "LOCALSTACK_HOST": "ls.example.com:443"}, "https://ls.example.com:443"),
        ({"USE_SSL": "true"}, "https://localhost:4566"),
        ({"USE_SSL": "0"}, LOCALSTACK_ENDPOINT),
    ],
)
def test_endpoint_from_localstack_variables(
    environ: dict[str, str], endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LOCALSTACK_HOST", "EDGE_PORT", "USE_SSL", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert localstack_endpoint() == endpoint


@pytest.mark.parametrize("environ", [{"LOCALSTACK_HOST": "ls:http"}, {"EDGE_PORT": "99999"}])
def test_a_bad_port_is_a_one_line_usage_error(environ: dict[str, str], tmp_path: Path) -> None:
    env = harness.clean_env(**environ)
    run = harness.run_grader(tmp_path, "--student-id=a", "--target=localstack", env=env)
    assert run.exit_code == 4, run.output
    (line,) = [line for line in run.output.splitlines() if "invalid LocalStack address" in line]
    assert "host:port" in line and "Traceback" not in run.output


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str) -> str:
    student_id = harness.new_student_id("ls")
    harness.deploy_reference(moto_endpoint, student_id)
    return student_id


def test_localstack_on_another_port_without_endpoint_url(
    moto_endpoint: str, deployed: str, tmp_path: Path
) -> None:
    """A moto server on a random port stands in for LocalStack; LOCALSTACK_HOST is all the grader gets."""
    port = urlparse(moto_endpoint).port
    assert port != 4566
    env = harness.clean_env(LOCALSTACK_HOST=f"127.0.0.1:{port}")
    run = harness.run_grader(tmp_path, f"--student-id={deployed}", "--target=localstack", TASK1, env=env)
    assert run.task(1)["status"] == "passed", run.output  # only task 1 ran: the others are not graded


def test_endpoint_url_wins_over_localstack_variables(
    moto_endpoint: str, deployed: str, tmp_path: Path
) -> None:
    env = harness.clean_env(LOCALSTACK_HOST="127.0.0.1:9")  # nothing listens on port 9
    run = harness.run_grader(
        tmp_path, f"--student-id={deployed}", "--target=localstack", f"--endpoint-url={moto_endpoint}", TASK1,
        env=env,
    )  # fmt: skip
    assert run.grade is not None and run.task(1)["status"] == "passed", run.output
    unreachable = harness.run_grader(
        tmp_path / "dead", f"--student-id={deployed}", "--target=localstack", TASK1, env=env
    )
    assert unreachable.task(1)["status"] == "error", unreachable.output

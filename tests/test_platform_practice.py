"""Local practice without Docker: grader-practice, a persistent moto server a student deploys to."""

from __future__ import annotations

import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.aws.practice import DEFAULT_PORT, instructions
from tests import harness


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "grader.aws.practice", f"--port={port}"], cwd=harness.PROJECT_ROOT,
        env=harness.clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def practice() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    process = start(free_port())
    assert process.stdout is not None
    lines = [process.stdout.readline().rstrip("\n") for _ in range(3)]
    yield process, lines
    if process.poll() is None:
        process.kill()
        process.wait()


def test_default_port_is_localstacks() -> None:
    assert DEFAULT_PORT == 4566
    lines = instructions("http://localhost:4566", 4566)
    assert lines[2].startswith("Grade:") and "--target=localstack" in lines[2]
    assert "--endpoint-url" not in lines[2]  # --target=localstack already means localhost:4566


def test_prints_the_three_lines_a_student_needs(practice) -> None:
    process, lines = practice
    endpoint = lines[0].split()[1]
    assert [line.split(":")[0] for line in lines] == ["Emulator", "Deploy", "Grade"], lines
    assert f"AWS_ENDPOINT_URL={endpoint}" in lines[1]
    assert "pytest --student-id=" in lines[2] and f"--endpoint-url={endpoint}" in lines[2]
    assert process.poll() is None  # still serving


def test_serves_aws_with_managed_policies(practice) -> None:
    _, lines = practice
    iam = harness.emulator_session().client("iam", endpoint_url=lines[0].split()[1])
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "AWSLambdaDynamoDBExecutionRole"


def test_deploy_then_grade_as_the_lines_say(practice, tmp_path: Path) -> None:
    _, lines = practice
    endpoint = lines[0].split()[1]
    student_id = harness.new_student_id("practice")
    harness.deploy_reference(endpoint, student_id)
    grade_args = shlex.split(lines[2].split(":", 1)[1])[1:]  # after "pytest"
    grade_args = [
        arg.replace("YOUR_ID", student_id).replace("YOUR_CODE_DIR", str(harness.PROJECT_ROOT / "solution"))
        for arg in grade_args
    ]
    run = harness.run_grader(tmp_path, *grade_args, "tests_assessment/test_task01_table.py")
    assert run.grade is not None, run.output
    assert run.task(1)["status"] == "passed", run.output


def test_second_emulator_on_a_busy_port_says_so(practice) -> None:
    _, lines = practice
    port = int(lines[0].split()[1].rsplit(":", 1)[1])
    second = start(port)
    output, _ = second.communicate(timeout=30)
    assert second.returncode == 1 and f"cannot listen on port {port}" in output


def test_ctrl_c_stops_it(tmp_path: Path) -> None:
    process = start(free_port())
    assert process.stdout is not None
    process.stdout.readline()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0

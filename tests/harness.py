"""Self-test harness: a moto server, reference deployments to break, and the grader run for real."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from grader.aws.emulator import EmbeddedMoto
from solution.deploy import Deployment

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AWS_ENV_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_REGION", "STUDENT_ID",
                "GRADER_TARGET", "SUBMISSION_DIR")


READ_ACTION = re.compile(r"[a-z0-9-]+:((Describe|List|Get|BatchGet)[A-Z]\w*|Query|Scan|TransactGetItems)")


def is_read_action(action: str) -> bool:
    """An IAM action that only reads, by name (an independent check of the grader's allow-list)."""
    return READ_ACTION.fullmatch(action) is not None


def new_student_id(prefix: str = "t") -> str:
    """A student id nobody else in this test session uses."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def emulator_session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="test", aws_secret_access_key="test",
                         region_name="us-east-1")


def start_emulator() -> EmbeddedMoto:
    emulator = EmbeddedMoto()
    emulator.start()
    return emulator


_DEPLOYING = threading.local()


def deploy_reference(endpoint_url: str, student_id: str) -> Deployment:
    """The reference solution deployed for student_id; mutate it through .client(...). The deployments
    of a thread share one session (a session is not thread-safe), which loads each service model once."""
    if not hasattr(_DEPLOYING, "session"):
        _DEPLOYING.session = emulator_session()
    deployment = Deployment(_DEPLOYING.session, student_id, endpoint_url)
    deployment.deploy()
    return deployment


NOT_INHERITED = re.compile(r"PYTHONDONTWRITEBYTECODE|PYTEST_CURRENT_TEST|PYTEST_XDIST_\w+|MOTO_\w+")
"""Set in a self-test process by Python's settings, pytest, xdist or an embedded moto, not by a user."""


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any AWS setting of the developer's machine, nor what the self-test
    process itself set (its current test, its xdist worker, its moto's settings); Python caches
    bytecode, as on a user's machine (the grader's modules are not compiled again for every run)."""
    env = {k: v for k, v in os.environ.items() if k not in AWS_ENV_VARS and not NOT_INHERITED.fullmatch(k)}
    env.update(AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
               AWS_EC2_METADATA_DISABLED="true")
    env.update(extra)
    return env


@dataclass
class GraderRun:
    exit_code: int
    output: str
    grade: dict[str, Any] | None
    workdir: Path

    def task(self, number: int) -> dict[str, Any]:
        assert self.grade is not None, self.output
        return self.grade["tasks"][number - 1]

    def check(self, task: int, name_part: str) -> dict[str, Any]:
        """The one check of a task whose name contains name_part."""
        matches = [c for c in self.task(task)["checks"] if name_part in c["name"]]
        assert len(matches) == 1, (name_part, [c["name"] for c in self.task(task)["checks"]])
        return matches[0]

    def not_passed(self) -> dict[tuple[int, str], str]:
        """(task, check name) -> status, for every check that did not pass."""
        assert self.grade is not None, self.output
        return {(t["task"], c["name"]): c["status"] for t in self.grade["tasks"]
                for c in t["checks"] if c["status"] != "passed"}


class ForkServer:
    """tests/forkserver.py, started in clean_env(): `python -m pytest ARGS` run in a child it forks,
    which saves each run the import of pytest and boto3 (about 0.4 CPU-s)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "fork.sock"
        self.environment = clean_env()
        """The server's environment, and so its children's: only runs in this one are sent to it."""
        self.process = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "tests" / "forkserver.py"),
                                         str(self.path)], cwd=PROJECT_ROOT, env=self.environment,
                                        stdin=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60
        while not self.path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the fork server did not start (exit code {self.process.poll()})")
            time.sleep(0.02)

    def run(self, args: list[str], cwd: Path, timeout: float) -> tuple[int, str]:
        """The exit code and output (standard output, then standard error) of pytest ARGS run in cwd."""
        with tempfile.TemporaryDirectory() as folder, socket.socket(socket.AF_UNIX) as connection:
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            out.touch(), err.touch()
            connection.settimeout(timeout)
            connection.connect(str(self.path))
            request = {"args": args, "cwd": str(cwd), "stdout": str(out), "stderr": str(err)}
            connection.sendall(json.dumps(request).encode() + b"\n")
            answers = connection.makefile("r")
            pid = json.loads(answers.readline())["pid"]
            try:
                code = json.loads(answers.readline())["exit"]
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                raise subprocess.TimeoutExpired(["pytest", *args], timeout) from None
            return code, out.read_text(errors="replace") + err.read_text(errors="replace")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


FORK_SERVER: list[ForkServer] = []
"""The self-test session's fork server, when it started one (tests/conftest.py)."""


def run_pytest(cwd: Path, *args: str, env: dict[str, str] | None = None,
               timeout: float = 300) -> tuple[int, str]:
    """`python -m pytest ARGS` in cwd (in env, default clean_env()): its exit code and output (standard
    output, then error). Through the session's fork server when there is one and env is its own: a
    child of a Python that imported pytest and boto3 already, in exactly that environment."""
    environment = env or clean_env()
    if FORK_SERVER and environment == FORK_SERVER[0].environment:
        return FORK_SERVER[0].run(list(args), cwd, timeout)
    done = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, env=environment,
                          text=True, capture_output=True, timeout=timeout, check=False)  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def run_grader(workdir: Path, *args: str, env: dict[str, str] | None = None,
               timeout: float = 300, html: bool = True) -> GraderRun:
    """Run `python -m pytest ARGS` in the project as a user would; read back grade.json. With html,
    an HTML report too (a roster run without it keeps no passing check's report)."""
    grade_path = workdir / "grade.json"
    report = [f"--html={workdir / 'report.html'}", "--self-contained-html"] if html else []
    code, output = run_pytest(PROJECT_ROOT, f"--grade-json={grade_path}", *report, *args, env=env,
                              timeout=timeout)  # fmt: skip
    grade = json.loads(grade_path.read_text()) if grade_path.exists() else None
    return GraderRun(code, output, grade, workdir)


def grade_on(endpoint_url: str, student_id: str, workdir: Path, *args: str) -> GraderRun:
    """Grade student_id against an emulator through the --target=localstack code path."""
    return run_grader(workdir, f"--student-id={student_id}", "--target=localstack",
                      f"--endpoint-url={endpoint_url}", *args)


def grade_class(endpoint_url: str, students: Mapping[str, Path | None], workdir: Path,
                *args: str) -> dict[str, GraderRun]:
    """Grade the students (id -> their submission dir, None: the run's) in one --roster run against an
    emulator, through the --target=localstack code path: student id -> a run holding their grade (its
    output and exit code are the class's)."""
    workdir.mkdir(parents=True, exist_ok=True)
    roster = workdir / "roster.csv"
    rows = "".join(f"{student},{directory or ''}\n" for student, directory in students.items())
    roster.write_text("student_id,submission_dir\n" + rows)
    grades = workdir / "grades"
    run = run_grader(workdir, f"--roster={roster}", "--target=localstack", f"--endpoint-url={endpoint_url}",
                     f"--grades-dir={grades}", *args, html=False)
    graded = {student: grades / student / "grade.json" for student in students}
    grade = {student: json.loads(path.read_text()) for student, path in graded.items() if path.exists()}
    return {student: GraderRun(run.exit_code, run.output, grade.get(student), workdir)
            for student in students}

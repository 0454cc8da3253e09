"""Self-test harness: a moto server, reference deployments to break, and the grader run for real."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from grader.emulator import EmbeddedMoto
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


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any AWS setting of the developer's machine; Python caches bytecode, as
    on a user's machine (the grader's modules are not compiled again for every run)."""
    env = {k: v for k, v in os.environ.items() if k not in (*AWS_ENV_VARS, "PYTHONDONTWRITEBYTECODE")}
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


def run_grader(workdir: Path, *args: str, env: dict[str, str] | None = None,
               timeout: float = 300, html: bool = True) -> GraderRun:
    """Run `python -m pytest ARGS` in the project as a user would; read back grade.json. With html,
    an HTML report too (a roster run without it keeps no passing check's report)."""
    grade_path = workdir / "grade.json"
    report = [f"--html={workdir / 'report.html'}", "--self-contained-html"] if html else []
    command = [sys.executable, "-m", "pytest", f"--grade-json={grade_path}", *report, *args]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env or clean_env(), text=True,
                          capture_output=True, timeout=timeout, check=False)
    grade = json.loads(grade_path.read_text()) if grade_path.exists() else None
    return GraderRun(done.returncode, done.stdout + done.stderr, grade, workdir)


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

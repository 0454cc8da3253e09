"""The parent side of the sandbox: run one submission file in a contained child process.

The child gets a temporary copy of the submission as its working directory, a home directory of
its own, fake AWS credentials and nothing else from the grader's environment (no real keys,
profile, config file, endpoint, container or web-identity credentials; IMDS disabled). Its time is
limited (the child stops the student's code at the limit; the parent kills its process group a
little later if it has not stopped).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.plans import Plan
from grader.sandbox.record import Record

DEFAULT_TIMEOUT = 20.0
START_ALLOWANCE = 15.0
"""Seconds the child may take beyond the student's limit to start (import moto, seed) and report."""
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
SKIPPED_DIRECTORIES = (".git", ".venv", "venv", "node_modules", "__pycache__", ".pytest_cache", ".tox")
LOG_CAP = 4000


@dataclass(frozen=True)
class SandboxConfig:
    """Everything a run depends on besides the plan."""

    submission_dir: Path
    table: str
    student_id: str
    region: str
    timeout: float = DEFAULT_TIMEOUT
    start_allowance: float = START_ALLOWANCE


def child_environment(config: SandboxConfig, home: Path) -> dict[str, str]:
    """The child's whole environment: built from scratch, so nothing of the grader's leaks in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(home),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": config.region,
        "AWS_REGION": config.region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "ORDERS_TABLE": config.table,
        "STUDENT_ID": config.student_id,
    }


def _copy_submission(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*SKIPPED_DIRECTORIES), symlinks=True)


def run(plan: Plan, config: SandboxConfig) -> Record:
    """Run the plan's file in a fresh child process and return what it did."""
    if not (config.submission_dir / plan.file).is_file():
        return Record(plan.file, {"kind": "missing", "detail": plan.file}, (), 0.0)
    with tempfile.TemporaryDirectory(prefix="grader-sandbox-") as scratch:
        root = Path(scratch)
        work, home = root / "submission", root / "home"
        _copy_submission(config.submission_dir, work)
        home.mkdir()
        output = root / "record.json"
        request = plan.request(config.table, config.region, config.timeout, str(output))
        with open(root / "child.log", "w+b") as log:
            child = subprocess.Popen(
                [sys.executable, "-I", "-m", "grader.sandbox.child"],
                cwd=work,
                env=child_environment(config, home),
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                child.communicate(
                    json.dumps(request).encode(), timeout=config.timeout + config.start_allowance
                )
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                return Record(plan.file, {"kind": "timeout", "detail": ""}, (), config.timeout)
            finally:
                _kill_leftovers(child.pid)
            if output.is_file():
                return Record.from_json(json.loads(output.read_text()))
            log.seek(0)
            tail = log.read()[-LOG_CAP:].decode(errors="replace")
        if "Traceback" in tail:  # the child could not start or write its record: the sandbox failed
            return Record(plan.file, {"kind": "internal", "detail": tail}, (), 0.0)
        return Record(plan.file, {"kind": "died", "detail": f"exit status {child.returncode}"}, (), 0.0)


def _kill_leftovers(process_group: int) -> None:
    """Processes the student's code started in the child's group do not outlive it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process_group, signal.SIGKILL)


class SandboxPool:
    """One run per file per session, started ahead of need where several files will be checked."""

    def __init__(self, config: SandboxConfig, workers: int) -> None:
        self.config = config
        self._executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sandbox")
        self._runs: dict[str, Future[Record]] = {}

    def start(self, plan: Plan) -> None:
        if plan.file not in self._runs:
            self._runs[plan.file] = self._executor.submit(run, plan, self.config)

    def record(self, plan: Plan) -> Record:
        """The plan's record (run now, unless already started), checked as require_ran does."""
        self.start(plan)
        return (
            self._runs[plan.file]
            .result()
            .require_ran(self.config.table, self.config.region, self.config.timeout)
        )

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

"""The parent side of the sandbox: run submission files in contained child processes.

A session starts one fork server (grader.sandbox.child) per student, with a home directory of its
own, fake AWS credentials and nothing else from the grader's environment (no real keys, profile,
config file, endpoint, container or web-identity credentials; IMDS disabled). It has imported and
warmed boto3 and moto once; each file then runs in a child forked from it, with a temporary copy of
the submission as its working directory, so a run costs a fork and a table seed, not an interpreter
start. The child stops the student's code at the time limit; the parent kills the child's process
group a little later if it has not stopped.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from grader.failures import GraderError
from grader.sandbox.plans import Plan
from grader.sandbox.record import Record

DEFAULT_TIMEOUT = 20.0
STOP_ALLOWANCE = 5.0
"""Seconds a child may take beyond the student's limit to seed, report, and stop by itself."""
SERVER_START = 90.0
"""Seconds the fork server may take to import and warm up (a loaded CI machine is slow)."""
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
    stop_allowance: float = STOP_ALLOWANCE


def child_environment(config: SandboxConfig, home: Path) -> dict[str, str]:
    """The sandbox's whole environment: built from scratch, so nothing of the grader's leaks in."""
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


def _kill_group(process_group: int) -> None:
    """Kill a process group (the child and anything it started); gone already is fine."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process_group, signal.SIGKILL)


class ForkServer:
    """The warm sandbox process of one student; forks a child per run and reports when each ends."""

    def __init__(self, config: SandboxConfig, home: Path) -> None:
        self._log: IO[bytes] = open(home / "server.log", "w+b")  # noqa: SIM115 - closed in close()
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-m", "grader.sandbox.child"],
            cwd=home,
            env=child_environment(config, home),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,
        )
        self._events: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._write = threading.Lock()
        self._ids = itertools.count()
        threading.Thread(target=self._listen, name="sandbox-server", daemon=True).start()

    def _listen(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            message = json.loads(line)
            with self._changed:
                self._events.setdefault(str(message.get("id", "server")), {}).update(message)
                self._changed.notify_all()
        with self._changed:
            self._events.setdefault("server", {})["gone"] = True
            self._changed.notify_all()

    def _wait(self, key: str, field: str, timeout: float) -> Any:
        """The field of an event once it arrived; None on timeout or when the server is gone."""
        with self._changed:
            self._changed.wait_for(
                lambda: field in self._events.get(key, {}) or "gone" in self._events.get("server", {}),
                timeout,
            )
            return self._events.get(key, {}).get(field)

    def log_tail(self) -> str:
        self._log.seek(0)
        return self._log.read()[-LOG_CAP:].decode(errors="replace")

    def run(self, request: dict[str, Any], timeout: float) -> int | None:
        """Start a child for the request; its exit status, or None when it was killed at the timeout."""
        if self._wait("server", "ready", SERVER_START) is None:
            raise GraderError(f"the sandbox server did not start: {self.log_tail()}")
        key = str(next(self._ids))
        assert self._process.stdin is not None
        with self._write:
            self._process.stdin.write((json.dumps({**request, "id": key}) + "\n").encode())
            self._process.stdin.flush()
        pid = self._wait(key, "pid", SERVER_START)
        if pid is None:
            raise GraderError(f"the sandbox server did not start a child: {self.log_tail()}")
        status = self._wait(key, "exit", timeout)
        _kill_group(pid)  # at the timeout: the child; after a normal end: whatever it left running
        return status

    def close(self) -> None:
        """Stop the server (its children have ended: each run waited for its own)."""
        _kill_group(self._process.pid)
        self._process.wait()
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        self._log.close()


class SandboxPool:
    """One run per file per session, started ahead of need where several files will be checked."""

    def __init__(self, config: SandboxConfig, workers: int) -> None:
        self.config = config
        self._scratch = tempfile.TemporaryDirectory(prefix="grader-sandbox-")
        self._root = Path(self._scratch.name)
        (self._root / "home").mkdir()
        self._server: ForkServer | None = None
        self._server_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sandbox")
        self._runs: dict[str, Future[Record]] = {}

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _fork_server(self) -> ForkServer:
        with self._server_lock:
            if self._server is None:
                self._server = ForkServer(self.config, self._root / "home")
            return self._server

    def start(self, plan: Plan) -> None:
        if plan.file not in self._runs:
            self._runs[plan.file] = self._executor.submit(self._run, plan)

    def run(self, plan: Plan) -> Record:
        """What the plan's file did (run now, unless already started)."""
        self.start(plan)
        return self._runs[plan.file].result()

    def record(self, plan: Plan) -> Record:
        """The plan's record, checked as Record.require_ran does."""
        return self.run(plan).require_ran(self.config.table, self.config.region, self.config.timeout)

    def _run(self, plan: Plan) -> Record:
        if not (self.config.submission_dir / plan.file).is_file():
            return Record(plan.file, {"kind": "missing", "detail": plan.file}, (), 0.0)
        scratch = self._root / plan.file.removesuffix(".py")
        work, output, log = scratch / "submission", scratch / "record.json", scratch / "child.log"
        shutil.copytree(
            self.config.submission_dir,
            work,
            ignore=shutil.ignore_patterns(*SKIPPED_DIRECTORIES),
            symlinks=True,
        )
        request = plan.request(self.config.table, self.config.timeout, str(output))
        request.update(cwd=str(work), log=str(log))
        status = self._fork_server().run(request, self.config.timeout + self.config.stop_allowance)
        if output.is_file():
            return Record.from_json(json.loads(output.read_text()))
        if status is None:
            return Record(plan.file, {"kind": "timeout", "detail": ""}, (), self.config.timeout)
        tail = log.read_bytes()[-LOG_CAP:].decode(errors="replace") if log.is_file() else ""
        if "Traceback" in tail:  # the child failed before it could write its record: the sandbox's fault
            return Record(plan.file, {"kind": "internal", "detail": tail}, (), 0.0)
        return Record(plan.file, {"kind": "died", "detail": f"exit status {status}"}, (), 0.0)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._server is not None:
            self._server.close()
        self._scratch.cleanup()


def run(plan: Plan, config: SandboxConfig) -> Record:
    """Run one plan in a pool of its own (a fresh fork server)."""
    with SandboxPool(config, workers=1) as pool:
        return pool.run(plan)

"""The grader's side of the sandbox: run each submission file contained, observe it from outside.

For one file: a fresh account in the student's own emulator (see grader.sandbox.emulators) gets the
reference table; a gateway on a Unix
socket records every request the file's process sends and forwards it there; the process starts
contained (see grader.sandbox.isolation) and is told to run its steps one at a time. The grader
moves the gateway's record on between steps and reads the table itself after each, so the calls and
the table a check reads never pass through the student's hands. From the process the grader takes
only each step's report (return value, printed text, how it ended), framed and size-capped; anything
else it does (crash, garbage, silence, a timeout) is that file's failure. Before the process says it
is ready no student code has run, so a failure to start is the grader's.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.failures import GraderError
from grader.sandbox import compile_check, isolation, submission
from grader.sandbox.emulators import Emulator
from grader.sandbox.gateway import Gateway
from grader.sandbox.plans import Plan
from grader.sandbox.record import Record, Step, calls_from_json, unlogged_from_json

TableReader = Callable[[], list[dict[str, Any]]]
DEFAULT_TIMEOUT = 20.0
STOP_ALLOWANCE = 3.0
"""Seconds beyond the student's time limit before the grader stops waiting for a step's report."""
START_LIMIT = 60.0
"""Seconds the sandboxed process may take to start and warm up (a loaded CI machine is slow)."""
FRAME_CAP = 1 << 20
"""Bytes of one message from the sandbox: a step's report with its return value and output."""
FRAME_DEPTH = 32
"""Levels of lists and objects in one message: a report holds a return value cut at 21 levels inside."""
OUTPUT_CAP = 20_000
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
FORWARD_PORT = 8111
"""The loopback port inside the sandbox that leads to the gateway (AWS_ENDPOINT_URL)."""
LIMITS = {
    "RLIMIT_AS": 2 << 30,
    "RLIMIT_FSIZE": 16 << 20,
    "RLIMIT_NPROC": 64,
    "RLIMIT_NOFILE": 256,
    "RLIMIT_CORE": 0,
    "RLIMIT_MSGQUEUE": 0,
}
"""Per-process limits of the student's code: memory, bytes per written file, processes, open files, no
POSIX message queues (they would outlive a file's run: nothing can list them to remove them)."""
CPU_ALLOWANCE = 10
"""CPU seconds a process may use beyond the wall-time limit (a hard stop, never reached honestly)."""


@dataclass(frozen=True)
class SandboxConfig:
    """Everything a run depends on besides the plan."""

    submission_dir: Path
    table: str
    student_id: str
    region: str
    timeout: float = DEFAULT_TIMEOUT
    isolation: isolation.Mode = "none"


def sandbox_environment(config: SandboxConfig) -> dict[str, str]:
    """The sandbox's whole environment: built from scratch, so nothing of the grader's leaks in."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": isolation.HOME,
        "TMPDIR": "/tmp",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MALLOC_ARENA_MAX": "2",
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": config.region,
        "AWS_REGION": config.region,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{FORWARD_PORT}",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "ORDERS_TABLE": config.table,
        "STUDENT_ID": config.student_id,
    }




class Channel:
    """Length-prefixed JSON frames from the sandbox, read against a deadline, size-capped."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = b""

    def _fill(self, size: int, deadline: float) -> bool:
        while len(self._buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return False
            self._buffer += chunk
        return True

    def next(self, deadline: float) -> dict[str, Any] | None:
        """The next message; None at end of stream; ValueError for one the grader cannot read."""
        if not self._fill(4, deadline):
            return None
        (size,) = struct.unpack(">I", self._buffer[:4])
        if size > FRAME_CAP:
            raise OverflowError(f"a message of {size} bytes (at most {FRAME_CAP} are read)")
        if not self._fill(4 + size, deadline):
            return None
        body, self._buffer = self._buffer[4 : 4 + size], self._buffer[4 + size :]
        too_deep = f"a message nested more than {FRAME_DEPTH} levels deep"
        try:
            message = json.loads(body)
        except RecursionError:  # past the parser's own limit, far deeper than FRAME_DEPTH
            raise ValueError(too_deep) from None
        except ValueError:
            raise ValueError(f"{size} bytes that are not JSON") from None
        if not within_depth(message, FRAME_DEPTH):
            raise ValueError(too_deep)
        if not isinstance(message, dict):
            raise ValueError("a message that is not an object")
        return message


def within_depth(value: Any, limit: int) -> bool:
    """The value (parsed JSON) nests lists and objects at most `limit` deep; checked without recursion,
    so that no later reading of the value (the checks, json.dumps in a message) can recurse too deep."""
    level: list[Any] = [value]
    for _ in range(limit + 1):
        containers = [item for item in level if isinstance(item, (dict, list))]
        if not containers:
            return True
        level = [child for c in containers for child in (c.values() if isinstance(c, dict) else c)]
    return False


def _send(fd: int, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode()
    with contextlib.suppress(BrokenPipeError):
        os.write(fd, struct.pack(">I", len(data)) + data)


def _report(message: dict[str, Any]) -> dict[str, Any]:
    """A step's report, checked field by field (it comes from the student's process)."""
    report = message.get("report")
    if not isinstance(report, dict):
        raise ValueError("a step report that is not an object")
    exit_status, exception = report.get("exit_status"), report.get("exception")
    stdout, dropped = report.get("stdout"), report.get("stdout_dropped")
    if not (exit_status is None or (isinstance(exit_status, int) and not isinstance(exit_status, bool))):
        raise ValueError("a step report without an exit status")
    if not (exception is None or isinstance(exception, str)) or not isinstance(stdout, str):
        raise ValueError("a step report with malformed text")
    if not (isinstance(dropped, int) and dropped >= 0):
        raise ValueError("a step report with a malformed output count")
    return {
        "exit_status": exit_status,
        "exception": None if exception is None else exception[:500],
        "result": report.get("result"),
        "stdout": stdout[:OUTPUT_CAP],
        "stdout_dropped": dropped + max(0, len(stdout) - OUTPUT_CAP),
        "unlogged": unlogged_from_json(report.get("unlogged", [])),
    }


def _steps(plan: Plan) -> list[dict[str, Any]]:
    """The plan's steps as the sandbox runs them: a module's step 0 imports it."""
    specs = [
        {"name": s.name, "function": s.function, "args": list(s.args), "lambda_context": s.lambda_context}
        for s in plan.steps
    ]
    if plan.kind == "module":
        specs.insert(0, {"name": "import", "function": None, "args": [], "lambda_context": False})
    return specs


class Sandbox:
    """One student's contained process (warm boto3, the gateway's way out), running their files in turn.

    Where the process can kill every other process of the sandbox (namespaces, its own uid), one
    sandbox serves all of a student's files: between two files it kills whatever the first one
    started and undoes its writes. Any file that ends abnormally, and every file without such
    isolation, gets a fresh sandbox after it.
    """

    def __init__(self, config: SandboxConfig, files: dict[str, bytes]) -> None:
        self.config = config
        self.files = files
        self.emulator = Emulator()
        self.reuse = config.isolation != "none"
        self._started: _Started | None = None
        self._seeded: str | None = None
        """An account whose table is as seeded: the last file run in it only read."""

    def run(self, plan: Plan) -> Record:
        """Run one file in an account of the emulator holding only its table as seeded, step by step:
        the account of the file before when that one only read (and ended cleanly), else a new one."""
        region, table = self.config.region, self.config.table
        started = self._start()  # first: its warm-up overlaps the emulator's own start
        emulator = self.emulator.get()
        account, self._seeded = self._seeded, None  # taken once nothing before the try can raise
        keep = False
        try:
            if account is None:
                account = emulator.new_account()
                emulator.seed(account, region, table)
            started.gateway.switch(account, emulator)
            file_run = _FileRun(plan, self.config, started, lambda: emulator.items(account, region, table))
            clean = file_run.run()
            keep = clean and self.reuse and file_run.only_read() and not emulator.spoiled
            if not (clean and self.reuse):
                self._stop_process()
            return Record(plan.file, file_run.problem, tuple(file_run.steps))
        finally:
            if keep:
                self._seeded = account
            elif account is not None and not emulator.spoiled:
                emulator.release(account)

    def _start(self) -> _Started:
        if self._started is None:
            self._started = _Started(self.config, self.files, self.reuse)
        return self._started

    def _stop_process(self) -> None:
        if self._started is not None:
            self._started.close()
            self._started = None

    def close(self) -> None:
        """Stop the process; give the student's emulator back, emptied."""
        self._stop_process()
        if self._seeded is not None:
            self.emulator.release(self._seeded)
            self._seeded = None
        self.emulator.close()


class _Started:
    """A running sandbox: its scratch folder, gateway, process and the channel both ways."""

    def __init__(self, config: SandboxConfig, files: dict[str, bytes], reuse: bool) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="run-", dir=isolation.scratch_root()))
        self.scratch.chmod(0o711)
        self.gateway = Gateway(self.scratch / "aws.sock", config.timeout + STOP_ALLOWANCE)
        self.launch = isolation.launch(config.isolation, self.scratch, sandbox_environment(config), files)
        channel_read, channel_write = os.pipe()
        control_read, self.control = os.pipe()
        errors = self.scratch / "stderr.log"
        try:
            with errors.open("wb") as stderr:
                self.process = subprocess.Popen(
                    self.launch.argv,
                    stdin=control_read,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    pass_fds=(*self.launch.pass_fds, channel_write),
                    cwd=self.launch.cwd,
                    env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
                    start_new_session=True,
                )
        finally:
            for fd in (channel_write, control_read, *self.launch.pass_fds):
                os.close(fd)
        self.channel = Channel(channel_read)
        limits = {**LIMITS, "RLIMIT_CPU": int(config.timeout) + CPU_ALLOWANCE}
        plan = {
            "port": FORWARD_PORT,
            "gateway": self.launch.gateway,
            "limits": limits,
            "channel": channel_write,
        }
        private = config.isolation == "namespaces"  # elsewhere /tmp is the host's: never emptied
        wiped = list(isolation.WRITABLE) if private else []
        self.send(
            {**plan, "reuse": reuse, "wiped": wiped, "kept": [str(d) for d in isolation.runtime_dirs()]}
        )
        try:
            message = self.channel.next(time.monotonic() + START_LIMIT)
        except (TimeoutError, ValueError, OverflowError):
            message = None
        if message != {"ready": True}:
            tail = errors.read_bytes()[-2000:].decode(errors="replace").strip()
            self.close()
            raise GraderError(f"the sandbox did not start ({config.isolation}): {tail or 'no message'}")

    def send(self, message: dict[str, Any]) -> None:
        _send(self.control, message)

    def close(self) -> None:
        """Stop the process and everything it started; remove the scratch folder."""
        with contextlib.suppress(OSError):
            os.close(self.control)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=0.5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        os.close(self.channel.fd)
        self.gateway.close()
        if self.launch.user is not None:
            self.launch.user.kill_all()
            self.launch.user.release()
        shutil.rmtree(self.scratch, ignore_errors=True)


class _FileRun:
    """One submission file's steps in a started sandbox, observed from outside."""

    def __init__(self, plan: Plan, config: SandboxConfig, sandbox: _Started, table: TableReader) -> None:
        self.plan = plan
        self.config = config
        self.sandbox = sandbox
        self.table = table
        self.specs = _steps(plan)
        self.steps: list[Step] = []
        self.problem: dict[str, str] | None = None
        self.late_calls: list[dict[str, Any]] = []
        """Calls recorded after the last step's report, up to the end of the run."""

    def run(self) -> bool:
        """Run every step; True when the file ended cleanly and the sandbox may serve another."""
        deadline = time.monotonic() + self.config.timeout
        for index in range(len(self.specs)):
            if not self._step(index, deadline):
                return False
        self.sandbox.send({"end": True})
        ending = time.monotonic() + STOP_ALLOWANCE  # one deadline: a stream of messages cannot stretch it
        try:
            while (message := self.sandbox.channel.next(ending)) is not None:
                if message == {"clean": True}:
                    self.late_calls = self.sandbox.gateway.seal()
                    return self._settled(ending)
        except (TimeoutError, ValueError, OverflowError):
            pass  # whatever was left running misbehaved: the next file gets a fresh sandbox
        return False

    def only_read(self) -> bool:
        """Every call of the run, late ones included, was a DynamoDB read: the table is as it was."""
        calls = [*(call for step in self.steps for call in step.calls), *calls_from_json(self.late_calls)]
        return all(call.service == "dynamodb" and call.operation in READS for call in calls)

    def _step(self, index: int, deadline: float) -> bool:
        """Run step `index` and record it; False when the file's run cannot go on."""
        name = self.specs[index]["name"]
        command: dict[str, Any] = {"step": index, "seconds": max(deadline - time.monotonic(), 0.01)}
        if index == 0:
            command.update(file=self.plan.file, kind=self.plan.kind, steps=self.specs)
        self.sandbox.send(command)
        try:
            report = self._report_of(index, deadline + STOP_ALLOWANCE)
        except TimeoutError:
            report = None
        except OverflowError as exc:
            return self._stop("oversize", str(exc))
        except ValueError as exc:
            return self._stop("garbage", str(exc) or "data that is not JSON")
        if report == "died":
            return self._stop("died", name)
        # every call since the last step's (or since the file's account was switched to) is this step's
        calls = calls_from_json(self.sandbox.gateway.log.next_step())
        table = self._table_after(calls, deadline + STOP_ALLOWANCE)
        if table is None:
            return self._stop("timeout" if report is None else "busy", name)
        self.steps.append(Step(name=name, calls=calls, table=table, **(report or TIMED_OUT)))
        if report is None or report["exit_status"] is None:
            return self._stop("timeout", name)
        if self.plan.kind == "module" and index == 0 and not self.steps[-1].finished:
            return self._stop(
                "import", self.steps[-1].ending().removeprefix("it raised ") or "the import failed"
            )
        return True

    def _table_after(self, calls: tuple[Any, ...], deadline: float) -> tuple[dict[str, Any], ...] | None:
        """The table after a step, read while none of the student's requests runs; None when their
        requests kept the emulator busy past the deadline (it is spoiled: nothing is sent to it again).
        Only the gateway reaches the table: a step that sent no request left it as it was."""
        if self.steps and not calls:
            return self.steps[-1].table
        emulator = self.sandbox.gateway.backend
        assert emulator is not None, "the gateway was switched to the file's account"
        with self.sandbox.gateway.quiet(deadline) as idle:
            if idle and not emulator.spoiled:
                return tuple(self.table())
        emulator.spoiled = True
        return None

    def _settled(self, deadline: float) -> bool:
        """True when none of the file's requests still runs in the emulator by the deadline (new ones
        are refused once the run is sealed); else the file left them running, its own failure, and the
        emulator they keep busy is spoiled."""
        emulator = self.sandbox.gateway.backend
        if self.sandbox.gateway.settled(deadline) and emulator is not None and not emulator.spoiled:
            return True
        if emulator is not None:
            emulator.spoiled = True
        return self._stop("busy", self.specs[-1]["name"])

    def _report_of(self, index: int, deadline: float) -> dict[str, Any] | str:
        """The step's checked report, or 'died' when its process ended (or the channel closed) first."""
        while True:
            message = self.sandbox.channel.next(deadline)
            if message is None:
                return "died"
            if "exit" in message and "step" not in message:
                if self.plan.kind == "script" and message["exit"] != index:
                    continue  # the previous run of the script ended: its report came before
                return "died"
            if message.get("step") != index:
                raise ValueError("a message out of turn")
            return _report(message)

    def _stop(self, kind: str, detail: str) -> bool:
        self.problem = {"kind": kind, "detail": detail}
        return False


READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ListTables"})
"""DynamoDB operations that change nothing in the emulator (the gateway has it run exactly the
operation it recorded)."""
TIMED_OUT = {"exit_status": None, "exception": "timeout", "result": None, "stdout": "", "stdout_dropped": 0}
"""The report of a step whose process was killed at the time limit without reporting."""


class SandboxPool:
    """A student's files, each run once per session in their sandbox, started ahead of need."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._submission = submission.Submission({}, {})
        self._unprepared: str | None = None
        """Why the student's sandbox could not be prepared: the grader's trouble, in their records only."""
        try:
            self._submission = submission.read(config.submission_dir)
        except Exception as exc:  # never raised where another student's checks would meet it
            self._unprepared = f"preparing the sandbox failed: {type(exc).__name__}: {exc}"
        self._sandbox = Sandbox(config, self._submission.files)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox")
        self._runs: dict[str, Future[Record]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self, plan: Plan) -> None:
        """Run the plan's file in the background (the student's emulator starts with their first file:
        a student without files never starts one, and one with files overlaps its start with the
        checks of their account)."""
        if plan.file in self._submission.files and self._unprepared is None:
            self._sandbox.emulator.get()
        with self._lock:
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
        if self._unprepared is not None:
            return Record(plan.file, {"kind": "internal", "detail": self._unprepared}, ())
        refused = self._submission.refused.get(plan.file)
        if refused is not None:
            return Record(plan.file, {"kind": "unreadable", "detail": refused}, ())
        source = self._submission.files.get(plan.file)
        if source is None:
            return Record(plan.file, {"kind": "missing", "detail": plan.file}, ())
        if (problem := compile_check.problem(source, plan.file)) is not None:
            return Record(plan.file, {"kind": "syntax", "detail": problem}, ())
        try:
            return self._submission.explain(self._sandbox.run(plan))
        except GraderError as exc:
            return Record(plan.file, {"kind": "internal", "detail": str(exc)}, ())

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._sandbox.close()


def run(plan: Plan, config: SandboxConfig) -> Record:
    """Run one plan in a pool of its own."""
    with SandboxPool(config) as pool:
        return pool.run(plan)

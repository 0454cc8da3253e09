"""The program that runs inside the sandbox: warm boto3, then run the student's steps on command.

This file is copied alone into the sandbox (it imports nothing of the grader) and started as
`python -I inside.py`. It is trusted only until the first student code runs; after that, whatever
it sends is the student's word. Protocol, both ways length-prefixed JSON frames (4-byte big-endian
length, then UTF-8 JSON):
  grader -> here (fd 0): the plan {"port", "gateway", "limits", "channel", "reuse", "wiped", "kept"};
      then per submission file {"file", "kind", "steps", "step": 0, "seconds"}, {"step": i, "seconds"}
      for each later step (a module's step 0 imports it, each later one calls one of its functions),
      and {"end": true} once the file is done.
  here -> grader (the plan's channel fd): {"ready": true}; {"step": i, "report": {...}} when step i
      ends; {"exit": i, "status": s} when the process that ran from step i ended; {"clean": true}
      once a file's processes are gone and its writes undone (with "reuse", where this process can
      kill every other one: the next file then runs in the same warm sandbox).
The student's AWS calls go to AWS_ENDPOINT_URL, a loopback port forwarded here to the Unix socket
/run/aws.sock: the grader's recording gateway, the only way out of the sandbox.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import io
import json
import logging
import os
import resource
import runpy
import shutil
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

OUTPUT_CAP = 20_000
"""Characters of printed output kept per step; the rest is counted, not kept."""
UNLOGGED_CAP = 20
"""Logging calls below their logger's level noted per step (a handler's, for its message)."""


class TimeUp(BaseException):
    """Raised in the student's code when its time is up (BaseException: `except Exception` won't stop it)."""


def send(message: dict[str, Any]) -> None:
    data = json.dumps(message).encode()
    os.write(PLAN["channel"], struct.pack(">I", len(data)) + data)


def receive() -> dict[str, Any] | None:
    header = _read_exactly(0, 4)
    if header is None:
        return None
    body = _read_exactly(0, struct.unpack(">I", header)[0])
    return None if body is None else json.loads(body)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks = b""
    while len(chunks) < size:
        chunk = os.read(fd, size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return chunks


# the way out: a loopback port forwarded to the gateway's Unix socket ------------------------------
def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


def _forward(listener: socket.socket, gateway: str) -> None:
    while True:
        client, _ = listener.accept()
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(gateway)
        except OSError:
            client.close()
            continue
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def start_forwarder(port: int, gateway: str) -> socket.socket:
    listener = socket.create_server(("127.0.0.1", port))
    threading.Thread(target=_forward, args=(listener, gateway), daemon=True).start()
    return listener


# what a step did, as JSON ------------------------------------------------------------------------
class CappedText(io.TextIOBase):
    """A text stream keeping the first OUTPUT_CAP characters and counting the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # as sys.stdout does: the student's call raises, not the report
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = OUTPUT_CAP - self.kept
        self.parts.append(text[:room])
        self.kept += min(len(text), room)
        self.dropped += max(0, len(text) - room)
        return len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


class StepStream(io.TextIOBase):
    """The student's sys.stdout or sys.stderr: it writes to the running step's capture, so a stream kept
    from an earlier step (a logging handler made at import) still reaches the step it writes in."""

    def __init__(self) -> None:
        self.target = CappedText()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self.target.write(text)


STDOUT, STDERR = StepStream(), StepStream()
UNLOGGED: list[dict[str, str]] = []
"""The running step's logging calls that Lambda's runtime would drop (below their logger's level)."""


def jsonable(value: Any, depth: int = 0) -> Any:
    """A return value as JSON: Decimal and bytes as strings, sets as lists, the rest by repr."""
    if depth > 20:
        return "..."
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v, depth + 1) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def last_line(exc: BaseException, file: str) -> str:
    """'KeyError: 'status' (line 12 of lambda_function.py)': the exception and the student's line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).name == file]
    where = f" (line {frames[-1].lineno} of {file})" if frames else ""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{text[:300]}{where}"


class LambdaContext(SimpleNamespace):
    """The attributes and method of Lambda's context object a handler may use."""

    def __init__(self, function_name: str) -> None:
        super().__init__(
            function_name=function_name,
            function_version="$LATEST",
            invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}",
            memory_limit_in_mb=128,
            aws_request_id="00000000-0000-4000-8000-000000000000",
            log_group_name=f"/aws/lambda/{function_name}",
            log_stream_name="sandbox",
        )

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _time_up(*_: Any) -> None:
    raise TimeUp


def run_step(index: int, seconds: float, action: Any) -> None:
    """Run one step of the student's code within its time and send its report. Its output is what it
    printed; for a Lambda handler, all that Lambda logs: standard output and error, and logging records."""
    stdout = CappedText()
    STDOUT.target = stdout
    STDERR.target = stdout if lambda_runtime() else CappedText()  # else capped and not reported
    sys.stdout, sys.stderr = STDOUT, STDERR
    UNLOGGED.clear()
    report: dict[str, Any] = {"exit_status": 0, "exception": None, "result": None}
    signal.signal(signal.SIGALRM, _time_up)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))
    try:
        result = jsonable(action())
        json.dumps(result)  # what cannot be sent (an int of 5,000 digits) fails as the step's own
        report["result"] = result
    except TimeUp:
        report.update(exit_status=None, exception="timeout")
    except SystemExit as exc:
        code = exc.code
        report["exit_status"] = code if isinstance(code, int) else (0 if code is None else 1)
    except BaseException as exc:  # the student's code may raise anything
        report["exit_status"] = 1
        report["exception"] = last_line(exc, PLAN["file"])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    report.update(stdout=stdout.text, stdout_dropped=stdout.dropped, unlogged=UNLOGGED[:UNLOGGED_CAP])
    send({"step": index, "report": report})


# Lambda's Python runtime, as far as a handler can tell -------------------------------------------------
LAMBDA_LOG_LEVELS = {
    "TRACE": logging.DEBUG,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "ERROR": logging.ERROR,
    "FATAL": logging.CRITICAL,
}
"""Lambda's log levels (AWS_LAMBDA_LOG_LEVEL) as the runtime sets them on the root logger."""
REQUEST_ID = "00000000-0000-4000-8000-000000000000"


def lambda_runtime() -> bool:
    """The file runs as a Lambda handler (its steps call it with a context)."""
    return any(step["lambda_context"] for step in PLAN["steps"])


class LambdaLogHandler(logging.Handler):
    """The runtime's handler on the root logger: each record to the function's log, in its text format."""

    def __init__(self) -> None:
        super().__init__()
        formatter = logging.Formatter(
            f"[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t{REQUEST_ID}\t%(message)s", "%Y-%m-%dT%H:%M:%S"
        )
        formatter.converter = time.gmtime
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        STDOUT.target.write(self.format(record) + "\n")


def _deciding_logger(logger: logging.Logger) -> logging.Logger:
    """The logger whose level applies to a call on logger: itself or its nearest ancestor with a level."""
    while not logger.level and logger.parent is not None:
        logger = logger.parent
    return logger


def _students_call() -> bool:
    """The logging call comes from the submission's code (not boto3's): from a file in the working
    directory, past the logging module's own functions (logging.info)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename == logging.__file__:
        frame = frame.f_back
    return frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == os.getcwd()


def _note_unlogged(logger: logging.Logger, level: int, message_args: tuple[Any, ...]) -> None:
    """Note a logging call Lambda would drop: its message, its level, and the level that stops it."""
    msg, *values = message_args or ("",)
    try:  # formatted as logging formats a record's message
        text = logging.LogRecord(logger.name, level, "", 0, msg, tuple(values), None).getMessage()
    except Exception:  # the student's format string: note it as written
        text = str(msg)
    decider = _deciding_logger(logger)
    threshold = logging.getLevelName(decider.getEffectiveLevel())
    UNLOGGED.append(
        {
            "level": logging.getLevelName(level),
            "logger": decider.name,
            "threshold": threshold,
            "message": text[:200],
        }
    )


def _noting_unlogged(method: Any, level: int | None) -> Any:
    """A Logger method (debug, info ...; log when level is None) that notes a call of the student's that
    Lambda would drop, then logs as usual."""

    def logging_call(self: logging.Logger, *args: Any, **kwargs: Any) -> Any:
        called_at = level if level is not None else (args[0] if args else kwargs.get("level"))
        dropped = isinstance(called_at, int) and called_at < self.getEffectiveLevel()
        if dropped and len(UNLOGGED) < UNLOGGED_CAP and _students_call():
            _note_unlogged(self, called_at, args if level is not None else args[1:])
        return method(self, *args, **kwargs)

    return logging_call


def set_up_lambda_logging() -> None:
    """What the runtime does before importing the handler: its handler on the root logger, at
    AWS_LAMBDA_LOG_LEVEL when set (else Python's WARNING); logging calls below it are noted."""
    root = logging.getLogger()
    root.addHandler(LambdaLogHandler())
    level = LAMBDA_LOG_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper())
    if level is not None:
        root.setLevel(level)
    for name in ("debug", "info", "warning"):
        method = getattr(logging.Logger, name)
        setattr(logging.Logger, name, _noting_unlogged(method, logging.getLevelName(name.upper())))
    logging.Logger.log = _noting_unlogged(logging.Logger.log, None)


# the steps ----------------------------------------------------------------------------------------
def _child(listener: socket.socket) -> None:
    """In a forked child, before the student's code runs: the forwarder's socket is not its own."""
    listener.close()
    sys.argv = [PLAN["file"]]
    sys.path.insert(0, os.getcwd())


def _run_script_file() -> None:
    """Run the file as __main__; a script has no result (its globals are not one)."""
    runpy.run_path(PLAN["file"], run_name="__main__")


def run_script(command: dict[str, Any], listener: socket.socket) -> None:
    """A script step: a fresh child runs the file as __main__."""
    pid = os.fork()
    if pid == 0:
        try:
            _child(listener)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            run_step(command["step"], command["seconds"], _run_script_file)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    send({"exit": command["step"], "status": os.waitstatus_to_exitcode(status)})


def run_module(first: dict[str, Any], listener: socket.socket) -> None:
    """Step 0 imports the module in one child; each later step, on its command, calls a function,
    until the command that ends the file."""
    pid = os.fork()
    if pid == 0:
        try:
            _child(listener)
            if lambda_runtime():
                set_up_lambda_logging()
            module = _import(first["seconds"])
            while module is not None and (command := receive()) is not None and "step" in command:
                _call(command, module)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    send({"exit": 0, "status": os.waitstatus_to_exitcode(status)})


def _import(seconds: float) -> Any:
    file = PLAN["file"]
    holder: dict[str, Any] = {}

    def load() -> None:
        spec = importlib.util.spec_from_file_location(Path(file).stem, file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[Path(file).stem] = module
        spec.loader.exec_module(module)
        holder["module"] = module

    run_step(0, seconds, load)
    return holder.get("module")


def _call(command: dict[str, Any], module: Any) -> None:
    index = command["step"]
    spec = PLAN["steps"][index]
    function = getattr(module, spec["function"], None)
    if not callable(function):
        missing = {
            "exit_status": 1,
            "exception": f"NameError: no function {spec['function']} in {PLAN['file']}",
        }
        empty = {"result": None, "stdout": "", "stdout_dropped": 0, "unlogged": []}
        send({"step": index, "report": {**missing, **empty}})
        return
    args = list(spec["args"])
    if spec["lambda_context"]:
        args.append(LambdaContext("process-orders-stream-sandbox"))
    run_step(index, command["seconds"], lambda: function(*args))


# between files ------------------------------------------------------------------------------------
def keep_out() -> None:
    """This process cannot be traced, nor its memory or descriptors read, by the student's processes."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0


def end_of_file(originals: dict[str, bytes], folders: list[str], kept: list[str]) -> None:
    """Nothing of one file's run reaches the next: its processes killed, its writes undone (the
    read-only runtime, which may be bound below /tmp, is left alone)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(-1, signal.SIGKILL)  # every process of the sandbox's user but this one
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    for folder in folders:
        for entry in os.scandir(folder):
            if any(path == entry.path or path.startswith(entry.path + "/") for path in kept):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    for name, content in originals.items():
        Path(name).write_bytes(content)
    remove_ipc_objects()


IPC_RMID = 0
IPC_KINDS = {"shm": "shmctl", "sem": "semctl", "msg": "msgctl"}
"""SysV IPC objects by /proc/sysvipc file, and the call removing one (by id)."""


def remove_ipc_objects() -> None:
    """Remove the SysV shared memory, semaphores and message queues the file's processes made (in
    the sandbox's own IPC namespace, every one listed; where the host's is shared, those this uid may)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for kind, call in IPC_KINDS.items():
        try:
            lines = Path("/proc/sysvipc", kind).read_text().splitlines()
        except OSError:
            continue
        for line in lines[1:]:
            identifier = int(line.split()[1])
            getattr(libc, call)(identifier, *((0,) if kind == "sem" else ()), IPC_RMID, None)


def set_limits(limits: dict[str, int]) -> None:
    """Resource limits for this process and every process the student's code starts."""
    for name, value in limits.items():
        number = getattr(resource, name)
        resource.setrlimit(number, (value, value))
    signal.signal(
        signal.SIGXFSZ, signal.SIG_IGN
    )  # a write past the file limit fails (EFBIG), not the process


def warm_up() -> None:
    """Load boto3 and DynamoDB's models once; the student's processes are forked from here."""
    import boto3

    boto3.setup_default_session()
    boto3.client("dynamodb")
    boto3.resource("dynamodb")


PLAN: dict[str, Any] = {}


def main() -> None:
    plan = receive()
    if plan is None:
        return
    PLAN.update(plan)
    originals = {name: Path(name).read_bytes() for name in os.listdir(".") if name.endswith(".py")}
    listener = start_forwarder(plan["port"], plan["gateway"])
    warm_up()
    if plan["reuse"]:
        keep_out()
    set_limits(plan["limits"])
    send({"ready": True})
    folders = [".", *plan["wiped"]]
    while (command := receive()) is not None:
        if "file" in command:
            PLAN.update(file=command["file"], kind=command["kind"], steps=command["steps"])
        if PLAN["kind"] == "module" and "step" in command:
            run_module(command, listener)  # its process takes the commands up to the file's end
        elif "step" in command:
            run_script(command, listener)
            continue
        if plan["reuse"]:  # only where every other process can be killed (namespaces, own uid)
            end_of_file(originals, folders, plan["kept"])
            send({"clean": True})


if __name__ == "__main__":
    main()

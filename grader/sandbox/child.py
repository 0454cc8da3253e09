"""The sandbox process: seed an in-memory emulator, run the student's file, record what it did.

`python -I -m grader.sandbox.child` is a fork server, started by grader.sandbox.runner in a scrubbed
environment: it imports and warms boto3 and moto's in-process mock once, then forks one child per
request line on stdin (JSON, see Plan.request). Each child becomes its own process group, seeds a
fresh table, runs the student's file and writes the record (see grader.sandbox.record) as JSON to
the request's output path. The server answers on stdout, one JSON line per event:
{"id", "pid"} when a child started, {"id", "exit"} when it ended. Nothing here talks to a network:
moto's mock answers every AWS call and sockets are refused before the student's code starts.
"""

from __future__ import annotations

import base64
import copy
import importlib.util
import io
import json
import os
import resource
import runpy
import select
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from urllib.parse import urlparse

from botocore import handlers
from botocore.awsrequest import AWSResponse

from grader.sandbox import expressions

OUTPUT_CAP = 20_000
"""Characters of printed output kept per step; the rest is counted, not kept."""
MEMORY_LIMIT = 2 << 30
"""Bytes of address space a child may use: a runaway allocation raises MemoryError, not an OOM."""
FILE_LIMIT = 50 << 20
"""Bytes a child may write to one file."""
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SandboxTimeout(BaseException):
    """Raised in the student's code when its time is up (BaseException: `except Exception` won't stop it)."""


class SandboxBlocked(Exception):
    """A network connection the sandbox refuses."""


class CappedText(io.TextIOBase):
    """A text stream keeping the first OUTPUT_CAP characters and counting the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = OUTPUT_CAP - self.kept
        self.parts.append(text[:room])
        self.kept += min(len(text), room)
        self.dropped += max(0, len(text) - room)
        return len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def jsonable(value: Any) -> Any:
    """Parameters, results and items as JSON: Decimal and bytes as strings, sets as lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _returned_keys(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    """The keys of the items a read returned (Items, Item, or BatchGetItem's Responses)."""
    items = list(parsed.get("Items") or [])
    if parsed.get("Item"):
        items.append(parsed["Item"])
    for table_items in (parsed.get("Responses") or {}).values():
        if isinstance(table_items, list):
            items.extend(table_items)
    return [
        {k: expressions.plain(item[k]) for k in ("customer_id", "order_id") if k in item}
        for item in items
        if isinstance(item, dict)
    ]


class Recorder:
    """botocore event handlers recording every call of every client created after install()."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.active = False

    def install(self) -> None:
        """Add the handlers to botocore's built-ins, so each new session (the student's too) gets them."""
        handlers.BUILTIN_HANDLERS.extend(
            [
                ("before-parameter-build", self.before_parameter_build, handlers.REGISTER_LAST),
                ("before-call", self.before_call, handlers.REGISTER_FIRST),
                ("after-call", self.after_call, handlers.REGISTER_LAST),
                ("after-call-error", self.after_call_error, handlers.REGISTER_LAST),
                ("before-send", self.before_send, handlers.REGISTER_LAST),
            ]
        )

    def before_parameter_build(self, params: dict[str, Any], model: Any, context: dict, **_: Any) -> None:
        """Runs after boto3's resource layer has turned conditions and values into wire form."""
        if not self.active:
            return
        service = model.service_model.service_name
        context["sandbox_call"] = len(self.calls)
        self.calls.append(
            {
                "service": service,
                "operation": model.name,
                "params": jsonable(copy.deepcopy(params)),
                "error": None,
                "returned": [],
                "endpoint": None,
            }
        )
        if service == "dynamodb" and (message := expressions.reserved_word_error(params)):
            context["sandbox_rejection"] = message

    def _call(self, context: dict) -> dict[str, Any] | None:
        index = context.get("sandbox_call")
        return self.calls[index] if index is not None and index < len(self.calls) else None

    def before_call(self, params: dict[str, Any], context: dict, **_: Any) -> Any:
        """Record the endpoint; answer as DynamoDB does where moto is more lenient (reserved words)."""
        call = self._call(context)
        if call is None:
            return None
        parsed_url = urlparse(params.get("url", ""))
        call["endpoint"] = f"{parsed_url.scheme}://{parsed_url.netloc}"
        message = context.get("sandbox_rejection")
        if message is None:
            return None
        error = {"Code": "ValidationException", "Message": message}
        return AWSResponse(params.get("url", ""), 400, {}, None), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    def after_call(self, http_response: Any, parsed: dict[str, Any], context: dict, **_: Any) -> None:
        call = self._call(context)
        if call is None:
            return
        if http_response.status_code >= 300:
            call["error"] = parsed.get("Error", {}).get("Code") or str(http_response.status_code)
        else:
            call["returned"] = jsonable(_returned_keys(parsed))

    def after_call_error(self, exception: BaseException, context: dict, **_: Any) -> None:
        call = self._call(context)
        if call is not None:
            call["error"] = type(exception).__name__

    def before_send(self, request: Any, **_: Any) -> None:
        """moto answers requests to AWS hosts; anything else (a hard-coded endpoint_url) is refused."""
        host = urlparse(request.url).hostname or ""
        if not host.endswith(".amazonaws.com"):
            raise SandboxBlocked(f"the sandbox refused a connection to {request.url}")


def _refuse(*_: Any, **__: Any) -> Any:
    raise SandboxBlocked("the sandbox has no network")


def block_network() -> None:
    """Refuse every socket connection and name lookup from here on."""
    socket.socket.connect = _refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse


@contextmanager
def _project_importable() -> Iterator[None]:
    """Make solution/ importable for seeding only: the student's code must not import it."""
    sys.path.insert(0, str(PROJECT_ROOT))
    try:
        yield
    finally:
        sys.path.remove(str(PROJECT_ROOT))
        for name in [m for m in sys.modules if m == "solution" or m.startswith("solution.")]:
            del sys.modules[name]


class Emulator:
    """moto's in-process mock, started once in the server; each child seeds its own table in it."""

    def __init__(self) -> None:
        import boto3
        from boto3.dynamodb.types import TypeSerializer
        from moto import mock_aws

        mock_aws().start()
        boto3.setup_default_session()  # the student's boto3.client()/resource() reuse its loaded models
        self.client = boto3.client("dynamodb")
        boto3.resource("dynamodb")
        self.client.list_tables()  # loads moto's DynamoDB backend before any fork
        with _project_importable():
            from solution.deploy import table_definition
            from solution.orders import sample_orders

            self.definition = table_definition("x")
            serializer = TypeSerializer()
            self.puts = [
                {"PutRequest": {"Item": {name: serializer.serialize(v) for name, v in order.items()}}}
                for order in sample_orders()
            ]
        self.table = ""

    def seed(self, table: str) -> None:
        """Create the reference table under this name and load the reference orders."""
        self.table = table
        self.client.create_table(**{**self.definition, "TableName": table})
        for start in range(0, len(self.puts), 25):
            self.client.batch_write_item(RequestItems={table: self.puts[start : start + 25]})

    def items(self) -> list[dict[str, Any]]:
        """The table's items, typed, in key order (none once the student's code deleted the table)."""
        try:
            items = self.client.scan(TableName=self.table)["Items"]
        except self.client.exceptions.ResourceNotFoundException:
            return []
        return sorted(items, key=lambda i: (i["customer_id"]["S"], i["order_id"]["S"]))


def _last_line(exc: BaseException, file: str) -> str:
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


class Sandbox:
    """Runs the steps of one request and builds the record."""

    def __init__(self, request: dict[str, Any], recorder: Recorder, emulator: Emulator) -> None:
        self.request = request
        self.file: str = request["file"]
        self.path = Path.cwd() / self.file
        self.recorder = recorder
        self.emulator = emulator
        self.steps: list[dict[str, Any]] = []
        self.problem: dict[str, str] | None = None

    def step(self, name: str, action: Callable[[], Any]) -> bool:
        """Run one step; record its calls, output, result or exception and the table after it."""
        stdout, stderr = CappedText(), CappedText()  # stderr is capped and not recorded
        first_call = len(self.recorder.calls)
        record: dict[str, Any] = {"name": name, "exit_status": 0, "exception": None, "result": None}
        self.recorder.active = True
        try:
            with redirect_stdout(stdout), redirect_stderr(stderr):
                record["result"] = jsonable(action())
        except SystemExit as exc:
            code = exc.code
            record["exit_status"] = code if isinstance(code, int) else (0 if code is None else 1)
        except SandboxTimeout:
            record["exit_status"] = None
            record["exception"] = "timeout"
            self.problem = {"kind": "timeout", "detail": name}
        except BaseException as exc:  # the student's code may raise anything
            record["exit_status"] = 1
            record["exception"] = _last_line(exc, self.file)
        finally:
            self.recorder.active = False
        record.update(stdout=stdout.text, stdout_dropped=stdout.dropped)
        record["calls"] = self.recorder.calls[first_call:]
        unchanged = not record["calls"] and self.steps  # no AWS call: the table is as the last step left it
        record["table"] = self.steps[-1]["table"] if unchanged else self.emulator.items()
        self.steps.append(record)
        return self.problem is None

    def run(self) -> None:
        if not self.path.is_file():
            self.problem = {"kind": "missing", "detail": self.file}
            return
        source = self.path.read_bytes()
        try:
            compile(source, self.file, "exec")
        except SyntaxError as exc:
            self.problem = {"kind": "syntax", "detail": f"line {exc.lineno}: {exc.msg}"}
            return
        self.emulator.seed(self.request["table"])
        block_network()
        sys.path.insert(0, str(Path.cwd()))
        sys.argv = [self.file]
        signal.signal(signal.SIGALRM, _time_up)
        signal.setitimer(signal.ITIMER_REAL, float(self.request["timeout"]))
        try:
            self._steps()
        except SandboxTimeout:  # time ran out between the student's steps
            self.problem = {"kind": "timeout", "detail": self.steps[-1]["name"] if self.steps else ""}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _steps(self) -> None:
        specs = self.request["steps"]
        if all(spec["function"] is None for spec in specs):
            for spec in specs:
                if not self.step(spec["name"], self._run_script):
                    return
            return
        module: dict[str, ModuleType] = {}

        def load() -> None:
            module["m"] = self._import()

        if not self.step("import", load) or not module:
            self._import_problem()
            return
        for spec in specs:
            function = getattr(module["m"], spec["function"], None)
            if not callable(function):
                self.steps.append(_missing_function(spec["name"], spec["function"], self.file))
                self.steps[-1]["table"] = self.emulator.items()
                continue
            args = list(spec["args"])
            if spec["lambda_context"]:
                args.append(LambdaContext("process-orders-stream-sandbox"))
            if not self.step(spec["name"], lambda f=function, a=args: f(*a)):
                return

    def _run_script(self) -> None:
        runpy.run_path(str(self.path), run_name="__main__")

    def _import(self) -> ModuleType:
        spec = importlib.util.spec_from_file_location(self.path.stem, self.path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.path.stem] = module
        spec.loader.exec_module(module)
        return module

    def _import_problem(self) -> None:
        if self.problem is None:
            self.problem = {"kind": "import", "detail": self.steps[-1]["exception"] or "the import failed"}

    def record(self, seconds: float) -> dict[str, Any]:
        return {"file": self.file, "problem": self.problem, "steps": self.steps, "seconds": seconds}


def _missing_function(step: str, function: str, file: str) -> dict[str, Any]:
    return {
        "name": step,
        "exit_status": 1,
        "exception": f"NameError: no function {function} in {file}",
        "result": None,
        "stdout": "",
        "stdout_dropped": 0,
        "calls": [],
        "table": [],
    }


def _time_up(*_: Any) -> None:
    raise SandboxTimeout


def run_child(request: dict[str, Any], recorder: Recorder, emulator: Emulator) -> None:
    """In the forked child: become a process group, run the request, write its record, exit."""
    started = time.monotonic()
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails (EFBIG) instead of killing
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # the student's code never reads the server's requests
    os.dup2(log, 1)  # nor writes into its answers
    os.dup2(log, 2)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - the process ends with os._exit
    os.chdir(request["cwd"])
    sandbox = Sandbox(request, recorder, emulator)
    try:
        sandbox.run()
    except BaseException as exc:  # the sandbox itself failed: grading could not be done
        sandbox.problem = {"kind": "internal", "detail": "".join(traceback.format_exception(exc))[-3000:]}
    output = Path(request["output"])
    output.with_suffix(".tmp").write_text(json.dumps(sandbox.record(time.monotonic() - started)))
    output.with_suffix(".tmp").rename(output)


def _answer(message: dict[str, Any]) -> None:
    os.write(1, (json.dumps(message) + "\n").encode())


def _reap(children: dict[int, str]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _answer({"id": children.pop(pid), "exit": os.waitstatus_to_exitcode(status)})


def serve() -> None:
    """The fork server: warm up once, then one forked child per request line until stdin closes."""
    recorder = Recorder()
    recorder.install()
    emulator = Emulator()
    children: dict[int, str] = {}
    pending = b""
    _answer({"ready": True})
    while True:
        readable, _, _ = select.select([0], [], [], 0.05)
        if readable:
            chunk = os.read(0, 65536)
            if not chunk:
                break
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    try:
                        run_child(request, recorder, emulator)
                    except BaseException:
                        traceback.print_exc()
                    finally:
                        os._exit(0)
                children[pid] = request["id"]
                _answer({"id": request["id"], "pid": pid})
        _reap(children)


if __name__ == "__main__":
    serve()

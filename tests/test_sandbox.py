"""The sandbox runner on small probe files: what it records, and what it contains."""

from __future__ import annotations

import socket
import textwrap
import threading
import time
from pathlib import Path

import pytest

from grader.failures import RequirementFailed
from grader.sandbox import isolation, runner
from grader.sandbox.backend import Backend
from grader.sandbox.plans import QUERY_GSI, QUERY_LSI, READ_PATTERNS, Plan, StepSpec
from grader.sandbox.record import Record

TABLE = "orders-probe"
SCRIPT = Plan("query_gsi.py", 0, (StepSpec("run"),))
MODULE = Plan("query_gsi.py", 0, (StepSpec("call", "double", (21,)),))


MODE = isolation.choose("auto")[0]


def config(folder: Path, timeout: float = 20) -> runner.SandboxConfig:
    return runner.SandboxConfig(folder, TABLE, "probe", "us-east-1", timeout, MODE)


def run(tmp_path: Path, source: str, plan: Plan = SCRIPT, timeout: float = 20) -> Record:
    (tmp_path / plan.file).write_text(textwrap.dedent(source))
    return runner.run(plan, config(tmp_path, timeout))


def failure(record: Record, timeout: float = 20) -> str:
    with pytest.raises(RequirementFailed) as raised:
        record.require_ran(TABLE, "us-east-1", timeout)
    return raised.value.message


def test_seeded_table_and_recorded_calls(tmp_path: Path) -> None:
    record = run(
        tmp_path,
        """
        import os, boto3
        table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
        item = table.get_item(Key={"customer_id": "CUST001", "order_id": "ORD0001"})["Item"]
        print(item["status"], len(table.scan()["Items"]))
        boto3.client("dynamodb").query(TableName=os.environ["ORDERS_TABLE"], IndexName="StatusDateIndex",
            KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "shipped"}}, ScanIndexForward=False)
        """,
    )
    assert record.require_ran(TABLE, "us-east-1", 20) is record
    step = record.step("run")
    assert step.finished and step.stdout.strip() == "pending 20"
    assert [c.operation for c in step.calls] == ["GetItem", "Scan", "Query"]
    get, _, query = step.calls
    assert get.params["Key"] == {"customer_id": {"S": "CUST001"}, "order_id": {"S": "ORD0001"}}
    assert get.returned == ({"customer_id": "CUST001", "order_id": "ORD0001"},)
    assert query.params["ScanIndexForward"] is False and len(query.returned) == 5
    assert len(step.table) == 20


def test_deleting_the_table_is_the_students_doing(tmp_path: Path) -> None:
    record = run(tmp_path, "import boto3\nboto3.client('dynamodb').delete_table(TableName='orders-probe')\n")
    assert record.problem is None and record.step("run").table == ()


def test_reserved_word_rejected_as_dynamodb_does(tmp_path: Path) -> None:
    record = run(
        tmp_path,
        """
        import boto3
        boto3.resource("dynamodb").Table("orders-probe").query(IndexName="StatusDateIndex",
            KeyConditionExpression="status = :s", ExpressionAttributeValues={":s": "pending"})
        """,
    )
    step = record.step("run")
    assert step.calls[0].error == "ValidationException"
    assert "reserved keyword: status" in (step.exception or "")
    assert "line 3 of query_gsi.py" in (step.exception or "")


def test_module_functions_and_return_values(tmp_path: Path) -> None:
    record = run(tmp_path, "print('imported')\ndef double(n):\n    return {'n': n * 2}\n", MODULE)
    assert record.step("import").stdout == "imported\n"
    assert record.step("call").result == {"n": 42}


def test_missing_function_is_named(tmp_path: Path) -> None:
    record = run(tmp_path, "def other():\n    pass\n", MODULE)
    assert record.step("call").exception == "NameError: no function double in query_gsi.py"


def test_raising_at_import(tmp_path: Path) -> None:
    record = run(tmp_path, "import os\nos.environ['NOT_SET']\n", MODULE)
    message = failure(record)
    assert message.startswith("importing query_gsi.py raised KeyError: 'NOT_SET' (line 2 of query_gsi.py)")


def test_sys_exit(tmp_path: Path) -> None:
    codes = {"0": 0, "3": 3, "'bye'": 1, "None": 0}
    plan = Plan("query_gsi.py", 0, tuple(StepSpec(code, "leave", (code,)) for code in codes))
    record = run(tmp_path, "import sys\ndef leave(code):\n    sys.exit(eval(code))\n", plan)
    for code, status in codes.items():
        step = record.step(code)
        assert (step.exit_status, step.exception) == (status, None), code


def test_missing_file_and_syntax_error(tmp_path: Path) -> None:
    missing = runner.run(SCRIPT, config(tmp_path))
    assert "expected submission/query_gsi.py" in failure(missing)
    broken = run(tmp_path, "def f(:\n    pass\n")
    assert failure(broken).startswith("query_gsi.py has a syntax error at line 1")


def test_infinite_loop_times_out(tmp_path: Path) -> None:
    started = time.monotonic()
    record = run(tmp_path, "print('start')\nwhile True:\n    pass\n", timeout=2)
    assert time.monotonic() - started < 15
    assert record.step("run").stdout == "start\n"
    assert failure(record, 2).startswith("query_gsi.py did not finish within 2 s")


def test_loop_swallowing_the_time_limit_is_killed(tmp_path: Path) -> None:
    source = """
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass
        """
    started = time.monotonic()
    record = run(tmp_path, source, timeout=1)
    assert time.monotonic() - started < 15
    assert record.problem == {"kind": "timeout", "detail": "run"}


def test_output_is_capped(tmp_path: Path) -> None:
    step = run(tmp_path, "for i in range(200_000):\n    print('x' * 50)\n").step("run")
    assert len(step.stdout) == runner.OUTPUT_CAP and step.stdout_dropped > 5_000_000


def test_memory_and_file_size_are_limited(tmp_path: Path) -> None:
    source = """
        try:
            open("big.bin", "wb").write(b"x" * (60 << 20))
        except OSError as exc:
            print("file:", exc.errno)
        hog = bytearray(3 << 30)
        """
    step = run(tmp_path, source).step("run")
    assert step.stdout == "file: 27\n" and (step.exception or "").startswith("MemoryError")


def test_os_exit_is_reported(tmp_path: Path) -> None:
    assert "ended the Python process" in failure(run(tmp_path, "import os\nos._exit(0)\n"))


def test_no_real_credentials_reach_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("[default]\naws_access_key_id = AKIAREALHOMEKEY\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALENVKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_PROFILE", "grader")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    source = """
        import os, pathlib, boto3
        print(sorted(k for k in os.environ if k.startswith("AWS")))
        print(os.environ.get("AWS_PROFILE"), os.environ.get("AWS_ENDPOINT_URL"))
        print(boto3.Session().get_credentials().access_key)
        print(pathlib.Path("~/.aws/credentials").expanduser().exists())
        print(os.environ["ORDERS_TABLE"], os.environ["STUDENT_ID"])
        """
    submission = tmp_path / "submission"
    submission.mkdir()
    output = run(submission, source).step("run").stdout
    assert "AKIAREAL" not in output and "real-secret" not in output, output
    assert f"None http://127.0.0.1:{runner.FORWARD_PORT}\n" in output, output  # the sandbox's way out
    assert "\nFalse\n" in output and "orders-probe probe" in output


def test_network_is_refused(tmp_path: Path) -> None:
    """Sockets, raw _socket, a child process and IMDS reach nothing; boto3 with endpoint_url is named."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[object] = []
    done = threading.Event()
    listener.settimeout(0.1)

    def accept() -> None:
        while not done.is_set():
            try:
                accepted.append(listener.accept())
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    record = run(
        tmp_path,
        f"""
        import _socket, socket, subprocess, sys, boto3
        for host, port in (("127.0.0.1", {port}), ("169.254.169.254", 80)):
            try:
                socket.create_connection((host, port), timeout=1)
                print("socket: connected", host)
            except OSError as exc:
                print("socket:", type(exc).__name__)
            raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
            raw.settimeout(1)
            print("raw:", raw.connect_ex((host, port)))
        child = "import socket; socket.create_connection(('127.0.0.1', {port}), timeout=1)"
        print("child:", subprocess.run([sys.executable, "-c", child], capture_output=True).returncode)
        client = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:{port}")
        client.describe_table(TableName="orders-probe")
        """,
    )
    done.set()
    thread.join()
    listener.close()
    assert accepted == []
    step = record.step("run")
    assert "connected" not in step.stdout and "raw: 0" not in step.stdout and "child: 0" not in step.stdout
    assert step.stdout.count("socket:") == 2 and "child: 1" in step.stdout, step.stdout
    assert "EndpointConnectionError" in (step.exception or "")
    assert "http://127.0.0.1" in failure(record) and "endpoint_url" in failure(record)


def test_other_table_is_named(tmp_path: Path) -> None:
    record = run(
        tmp_path,
        """
        import boto3
        table = boto3.resource("dynamodb").Table("orders-STUDENTID")
        table.get_item(Key={"customer_id": "a", "order_id": "b"})
        """,
    )
    message = failure(record)
    assert message.startswith("query_gsi.py used table orders-STUDENTID (the placeholder left in)"), message
    assert "expected table orders-probe" in message


def test_student_code_cannot_import_the_solution(tmp_path: Path) -> None:
    step = run(tmp_path, "import solution.query_gsi\n").step("run")
    assert (step.exception or "").startswith("ModuleNotFoundError: No module named 'solution'")


def test_a_scripts_globals_are_not_its_result(tmp_path: Path) -> None:
    """A script that keeps a lot in its globals still reports within the channel's cap."""
    record = run(tmp_path, "orders = ['x' * 1000 for _ in range(3000)]\nprint(len(orders))\n")
    assert record.problem is None and record.step("run").result is None
    assert record.step("run").stdout == "3000\n"


DISGUISED_WRITES = {
    "an Action in the query string": ("/?Action=PutItem", [("X-Amz-Target", "Query")], {}),
    "an Action inside the JSON body": ("/", [("X-Amz-Target", "Query")], {"x": "&Action=PutItem&"}),
    "a second X-Amz-Target": ("/", [("X-Amz-Target", "Query"), ("X-Amz-Target", "PutItem")], {}),
    "an operation spelled otherwise": ("/", [("X-Amz-Target", "putItem")], {}),
    "an Action header": ("/", [("X-Amz-Target", "Query"), ("Action", "PutItem")], {}),
}
"""Requests the record would take for reads (or nothing) while moto, left to itself, ran a PutItem."""


def test_the_emulator_runs_exactly_the_operation_recorded(tmp_path: Path) -> None:
    """Whatever a request's path, body or headers say besides, the emulator runs the recorded call."""
    script = """
        import http.client, json, os
        SIGNED = ("AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, "
                  "SignedHeaders=host, Signature=0")
        ITEM = {{"customer_id": {{"S": "FORGED"}}, "order_id": {{"S": "FORGED"}}}}
        for path, headers, extra in {attempts}:
            body = json.dumps({{"TableName": os.environ["ORDERS_TABLE"], "Item": ITEM, **extra}}).encode()
            connection = http.client.HTTPConnection("127.0.0.1", {port})
            connection.putrequest("POST", path)
            for name, value in [("Authorization", SIGNED), ("Content-Type", "application/x-amz-json-1.0"),
                                ("Content-Length", str(len(body)))] + headers:
                if name == "X-Amz-Target":
                    value = "DynamoDB_20120810." + value
                connection.putheader(name, value)
            connection.endheaders(body)
            print(connection.getresponse().status)
    """
    attempts = list(DISGUISED_WRITES.values())
    record = run(tmp_path, script.format(attempts=attempts, port=runner.FORWARD_PORT))
    step = record.step("run")
    assert step.finished and step.stdout.split() == ["400"] * len(attempts), step.stdout
    assert not any(item["customer_id"] == {"S": "FORGED"} for item in step.table)
    assert len(step.table) == 20
    recorded = [(call.operation, call.error) for call in step.calls]
    assert recorded == [
        ("Query", "NotAvailableInSandbox"),
        ("Query", "ValidationException"),  # run as the Query it was recorded as: it has no key condition
        ("Query, PutItem", "DuplicateHeader"),
        ("putItem", "UnknownOperationException"),
        ("Query", "ValidationException"),
    ], recorded


def test_a_file_that_only_read_leaves_its_table_to_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that only read hands its table, as seeded, to the next file; one that wrote does not."""
    seeded: list[str] = []
    seed = Backend.seed
    monkeypatch.setattr(Backend, "seed", lambda self, *a: (seeded.append(a[-1]), seed(self, *a)))
    reads = "import boto3\nboto3.client('dynamodb').scan(TableName='orders-probe')\n"
    writes = (
        "import boto3\nboto3.client('dynamodb').put_item(TableName='orders-probe',"
        " Item={'customer_id': {'S': 'W'}, 'order_id': {'S': 'W'}})\n"
    )
    files = {QUERY_GSI: reads, QUERY_LSI: writes, READ_PATTERNS: reads}
    for plan, source in files.items():
        (tmp_path / plan.file).write_text(source)
    with runner.SandboxPool(config(tmp_path)) as pool:
        records = [pool.run(plan) for plan in files]
    assert all(record.problem is None for record in records)
    tables = [record.steps[-1].table for record in records]
    assert len(tables[0]) == 20 and len(tables[1]) == 21 and tables[2] == tables[0]
    reused = MODE != "none"  # without isolation every file gets a fresh sandbox, and a fresh table
    assert len(seeded) == (2 if reused else 3), seeded

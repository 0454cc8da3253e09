"""Hostile requests to the sandbox's emulator, graded for real: a flooding student costs classmates
nothing, garbage is refused as DynamoDB refuses it, and what a file sends is recorded within bounds."""

from __future__ import annotations

import json
import shutil
import socket
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from grader.failures import GraderError, RequirementFailed
from grader.sandbox import emulators, expressions, gateway, isolation, runner, validation
from grader.sandbox.plans import QUERY_GSI, QUERY_LSI
from tests import harness

SOLUTION = harness.PROJECT_ROOT / "solution"
TASK5 = "tests_assessment/test_task05_gsi_query.py"
MODE = isolation.choose("auto")[0]
RAW_REQUESTS = """
import json, os, http.client
PORT = int(os.environ["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])
SIGNED = ("AWS4-HMAC-SHA256 Credential=x/20260101/" + os.environ["AWS_REGION"]
          + "/dynamodb/aws4_request, SignedHeaders=host, Signature=0")


def send(operation, params, wait=True, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"X-Amz-Target": "DynamoDB_20120810." + operation, "Authorization": SIGNED,
               "Content-Type": "application/x-amz-json-1.0", **headers}
    connection.request("POST", "/", body=json.dumps(params), headers=headers)
    if not wait:
        return connection
    answer = connection.getresponse()
    return json.loads(answer.read() or b"{}").get("__type", "ok").rsplit("#", 1)[-1]
"""
FLOOD = (
    RAW_REQUESTS
    + """
import itertools, time
table = os.environ["ORDERS_TABLE"]
items = [{"customer_id": {"S": "FLOOD"}, "order_id": {"S": "FLOOD"},
          **{f"a{i}": {"S": "x"} for i in range(size)}} for size in (1900, 8000)]
for item in itertools.cycle(items):  # moto's item code is quadratic in the attributes
    try:  # never waiting for an answer: each connection is closed once sent
        send("PutItem", {"TableName": table, "Item": item}, wait=False).close()
    except OSError:
        time.sleep(0.01)
"""
)


def _submission(folder: Path, **files: str) -> Path:
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("__pycache__", "deploy.py", "orders.py"))
    for name, source in files.items():
        (folder / name).write_text(textwrap.dedent(source))
    return folder


@pytest.mark.long
def test_a_flooding_student_costs_the_next_one_nothing(moto_endpoint: str, tmp_path: Path) -> None:
    """A file floods the emulator with costly requests for its whole time limit (items of 1,900 and
    8,000 attributes), never waiting for an answer; a correct classmate graded after it keeps full
    marks. Two students without files come between, so the classmate's sandbox starts once the flood
    is over: what is left of it is what the emulator still has to do. (With one emulator for every
    sandbox, moto was busy with the flood for minutes: the classmate's file was not graded.)"""
    flooder, correct = harness.new_student_id("flood"), harness.new_student_id("calm")
    harness.deploy_reference(moto_endpoint, correct)
    (tmp_path / "empty").mkdir()
    students = {
        flooder: _submission(tmp_path / "flooder", **{QUERY_GSI.file: FLOOD}),
        **{harness.new_student_id("idle"): tmp_path / "empty" for _ in range(2)},
        correct: SOLUTION,
    }
    started = time.monotonic()
    graded = harness.grade_class(moto_endpoint, students, tmp_path / "class", "--sandbox-timeout=8", TASK5)
    assert time.monotonic() - started < 120
    calm, flood = graded[correct], graded[flooder]
    assert calm.task(5)["status"] == "passed", (calm.task(5), calm.output)
    code_check = flood.check(5, "query_gsi.py")
    assert code_check["status"] == "failed" and "query_gsi.py" in code_check["message"], code_check


GARBAGE = {
    "empty string set": ("PutItem", {"Item": {"k": {"SS": []}}}),
    "duplicate string set": ("PutItem", {"Item": {"k": {"SS": ["a", "a"]}}}),
    "duplicate number set": ("PutItem", {"Item": {"k": {"NS": ["1", "1.0"]}}}),
    "N not a number": ("PutItem", {"Item": {"k": {"N": "abc"}}}),
    "N not finite": ("PutItem", {"Item": {"k": {"N": "NaN"}}}),
    "two types": ("PutItem", {"Item": {"k": {"S": "x", "N": "1"}}}),
    "NULL false": ("PutItem", {"Item": {"k": {"NULL": False}}}),
    "string where a map goes": ("PutItem", {"Item": "everything"}),
    "expression not a string": ("UpdateItem", {"UpdateExpression": 7}),
    "enum": ("PutItem", {"Item": {}, "ReturnValues": "EVERYTHING"}),
    "expression over 4 KB": ("Query", {"KeyConditionExpression": "customer_id = :c" + " " * 5000}),
    "item over 400 KB": ("PutItem", {"Item": {"k": {"S": "x" * 410_000}}}),
    "nested 40 deep": ("PutItem", {"Item": {"k": eval("{'L': [" * 40 + "{'S': 'x'}" + "]}" * 40)}}),
    "too many values": ("PutItem", {"Item": {f"a{i}": {"S": "x"} for i in range(2100)}}),
    "required member missing": ("GetItem", {"TableName": "orders-probe"}),
}


def test_garbage_requests_are_refused_before_the_emulator(tmp_path: Path) -> None:
    """Each request DynamoDB (or the sandbox's bounds) refuses is refused at the gateway, with the error
    the student's code would get from DynamoDB; the table is left as seeded. (moto stored most.)"""
    key = {"customer_id": {"S": "CUST001"}, "order_id": {"S": "ORD0001"}}
    lines = []
    for name, (operation, params) in GARBAGE.items():
        request = {"TableName": "orders-probe", **params}
        if operation == "PutItem" and isinstance(params["Item"], dict):
            request["Item"] = {**key, **params["Item"]}
        elif operation != "PutItem" and "Key" not in params and name != "required member missing":
            request["Key" if operation == "UpdateItem" else "ExpressionAttributeValues"] = (
                key if operation == "UpdateItem" else {":c": {"S": "CUST001"}}
            )
        lines.append(f"print({name!r}, send({operation!r}, {request!r}))")
    (tmp_path / QUERY_GSI.file).write_text(RAW_REQUESTS + "\n".join(lines) + "\n")
    record = runner.run(
        QUERY_GSI, runner.SandboxConfig(tmp_path, "orders-probe", "probe", "us-east-1", 20, MODE)
    )
    step = record.step("run")
    assert record.problem is None and step.finished, (record.problem, step.exception)
    answers = dict(line.rsplit(" ", 1) for line in step.stdout.splitlines())
    assert answers == {
        name: "SerializationException" if name in ("string where a map goes", "expression not a string")
        else "ValidationException" for name in GARBAGE
    }  # fmt: skip
    assert len(step.table) == 20 and all("k" not in item for item in step.table)


def test_huge_headers_and_bodies_stay_out_of_the_grade(moto_endpoint: str, tmp_path: Path) -> None:
    """A file whose requests carry hundreds of 60 KB X-Amz-Target headers and 1 MB bodies leaves a
    small grade.json and report.html; its grade is complete. (They held every byte: ~300 MB.)"""
    student = harness.new_student_id("headers")
    harness.deploy_reference(moto_endpoint, student)
    source = (
        RAW_REQUESTS
        + """
for _ in range(6):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    connection.putrequest("POST", "/")
    for value in ["DynamoDB_20120810." + "Q" * 60_000] * 90:
        connection.putheader("X-Amz-Target", value)
    connection.putheader("Authorization", SIGNED)
    connection.putheader("Content-Length", "2")
    connection.endheaders(b"{}")
    connection.getresponse().read()
for _ in range(20):
    send("PutItem", {"TableName": os.environ["ORDERS_TABLE"], "Item": {"pad": {"S": "x" * 900_000}}})
raise SystemExit(1)
"""
    )
    submission = _submission(tmp_path / "submission", **{QUERY_GSI.file: source})
    run = harness.grade_on(moto_endpoint, student, tmp_path, f"--submission-dir={submission}",
                           "--sandbox-timeout=10", TASK5)  # fmt: skip
    assert run.check(5, "query_gsi.py")["status"] == "failed", run.output[-3000:]
    assert (tmp_path / "grade.json").stat().st_size < 100_000
    assert (tmp_path / "report.html").stat().st_size < 2_000_000
    assert len(run.output) < 200_000


def test_a_files_record_holds_at_most_its_cap() -> None:
    """Requests beyond RECORD_CAP bytes of a file's record are refused, never recorded."""
    log = gateway.CallLog()
    body = gateway.RECORD_CAP // 10
    assert [log.add({"operation": "PutItem"}, body) for _ in range(12)].count(True) == 9
    assert log.refused == 3 and len(log.next_step()) == 9


def _reading_seconds(expression: str) -> float:
    """The least of three timings of reading an expression as the gateway and the checks do."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        expressions.raw_reserved_words(expression)
        expressions.attributes({"FilterExpression": expression}, "FilterExpression")
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_expressions_are_read_in_linear_time() -> None:
    """Ten times the words take about ten times as long, not a hundred (each word copied the rest of
    the expression: 240 KB of them took seconds, and every check reading the record paid again)."""
    short, long = _reading_seconds("a " * 12_000), _reading_seconds("a " * 120_000)
    assert long / short < 25, (short, long)


def test_requests_left_running_are_the_files_and_the_next_file_gets_a_fresh_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that returns at once, leaving costly requests running, fails on its own ("left requests
    running"); the emulator they keep busy is stopped, and the student's next file runs in a fresh one
    as if nothing had happened. (Before, the grader read the table behind those requests.)"""
    left_running = (
        RAW_REQUESTS
        + """
item = {"customer_id": {"S": "BUSY"}, "order_id": {"S": "BUSY"}}
item.update({f"a{i}": {"S": "x"} for i in range(1900)})
held = [send("PutItem", {"TableName": os.environ["ORDERS_TABLE"], "Item": item}, wait=False)
        for _ in range(4)]
__import__("time").sleep(1)  # the gateway has them: returning now leaves them running (~4 s of moto)
"""
    )
    (tmp_path / QUERY_GSI.file).write_text(left_running)
    shutil.copy(SOLUTION / QUERY_LSI.file, tmp_path / QUERY_LSI.file)
    config = runner.SandboxConfig(tmp_path, "orders-probe", "probe", "us-east-1", 2, MODE)
    monkeypatch.setattr(runner, "STOP_ALLOWANCE", 0.5)  # the requests' end is past the time allowed
    with runner.SandboxPool(config) as pool:
        busy = pool.run(QUERY_GSI)
        honest = pool.run(QUERY_LSI)
        taken = pool._sandbox.emulator.taken
    assert busy.problem == {"kind": "busy", "detail": "run"}, busy.all_calls()
    with pytest.raises(RequirementFailed, match="left requests running"):
        busy.require_ran("orders-probe", "us-east-1", 2)
    assert honest.problem is None and honest.step("run").finished and taken == 2


def test_an_emulator_that_timed_out_is_never_used_again(tmp_path: Path) -> None:
    """A grader's request the emulator does not answer in time is the grader's error (GraderError: not
    graded), and that emulator gets nothing more; the student's sandbox starts a fresh one."""
    emulator = emulators.Emulator()
    try:
        backend = emulator.get()
        account = backend.new_account()
        backend.seed(account, "us-east-1", "orders-probe")
        item = {
            "customer_id": {"S": "C"},
            "order_id": {"S": "O"},
            **{f"a{i}": {"S": "x"} for i in range(3000)},
        }
        body = json.dumps({"TableName": "orders-probe", "Item": item}).encode()
        with pytest.raises(GraderError, match="did not answer within"):
            backend.send_call(account, "us-east-1", "dynamodb", "PutItem", body, limit=0.05)
        with pytest.raises(GraderError, match="not used again"):
            backend.items(account, "us-east-1", "orders-probe")
        fresh = emulator.get()
        assert fresh is not backend and emulator.taken == 2
        assert fresh.call(fresh.new_account(), "us-east-1", "ListTables", {}) == {"TableNames": []}
    finally:
        emulator.close()


def test_an_emulator_is_handed_on_only_idle_and_empty() -> None:
    """A student's emulator serves a later student only once every account of theirs is emptied (and
    nothing of theirs runs); one still holding a table is stopped."""
    first = emulators.Emulator()
    kept = first.get()
    kept.seed(kept.new_account(), "us-east-1", "orders-probe")
    first.close()
    assert not kept.idle() and kept._server is None, "an emulator holding a table was handed on"
    second = emulators.Emulator()
    emptied = second.get()
    account = emptied.new_account()
    emptied.seed(account, "us-east-1", "orders-probe")
    emptied.release(account)
    second.close()
    third = emulators.Emulator()
    try:
        assert third.get() is emptied
        assert emptied.call(emptied.new_account(), "us-east-1", "ListTables", {}) == {"TableNames": []}
    finally:
        third.close()


def test_an_emulator_with_a_request_still_on_its_way_is_not_handed_on(tmp_path: Path) -> None:
    """A request admitted before the run ended may still reach the emulator from the gateway's thread
    after the student's process is gone: that emulator must not serve a classmate, whose table could
    take the late write."""
    student = emulators.Emulator()
    backend = student.get()
    account = backend.new_account()
    backend.seed(account, "us-east-1", "orders-probe")
    door = gateway.Gateway(tmp_path / "aws.sock", 20)
    door.switch(account, backend)
    late = socket.socket(socket.AF_UNIX)
    late.connect(str(tmp_path / "aws.sock"))
    late.sendall(  # its turn taken, its body still coming
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
        b"Authorization: AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, "
        b"SignedHeaders=host, Signature=0\r\nContent-Length: 100\r\n\r\n{"
    )
    deadline = time.monotonic() + 5
    while door.settled(time.monotonic()) and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        door.close()
        backend.release(account)
        student.close()
        assert backend.spoiled and not backend.idle(), "an emulator with a request in flight was handed on"
    finally:
        late.close()
        student.close()


GARBAGE_FIRST = (
    RAW_REQUESTS
    + """
deep = {"S": "bottom"}
for _ in range(400):
    deep = {"L": [deep]}
for value in ({"SS": ["a", "a"]}, {"S": "x", "N": "1"}, deep):
    item = {"customer_id": {"S": "CUST001"}, "order_id": {"S": "ODD"}, "odd": value}
    print("answer:", send("PutItem", {"TableName": os.environ["ORDERS_TABLE"], "Item": item}))
"""
)


def test_values_dynamodb_refuses_never_reach_the_checks(moto_endpoint: str, tmp_path: Path) -> None:
    """A file that first writes values DynamoDB refuses (a duplicated set and two types in one value,
    which moto stores; a list nested 400 deep, which moto answers with a bare 500), reading each answer
    as DynamoDB's JSON, then does the task's work, is graded in full: each value was refused at the
    boundary with DynamoDB's own error. (Before, the 500 that is no DynamoDB answer broke the file.)"""
    student = harness.new_student_id("garbage")
    harness.deploy_reference(moto_endpoint, student)
    source = GARBAGE_FIRST + (SOLUTION / "conditional_writes.py").read_text()  # then the task's work
    submission = _submission(tmp_path / "submission", **{"conditional_writes.py": source})
    task12 = "tests_assessment/test_task12_conditional_writes.py"
    run = harness.grade_on(moto_endpoint, student, tmp_path, f"--submission-dir={submission}",
                           "--sandbox-timeout=10", task12)  # fmt: skip
    task = run.task(12)
    assert task["status"] == "passed", [c["message"] for c in task["checks"]]


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("PutItem", {"TableName": "t", "Item": {"\ud800": {"S": "a"}}}),
        ("PutItem", {"TableName": "t", "Item": {"a": {"SS": ["\ud800"]}}}),
        ("Query", {"TableName": "t", "KeyConditionExpression": "a = \ud800"}),
    ],
    ids=["name", "set member", "expression"],
)
def test_a_lone_surrogate_is_refused_not_a_dropped_connection(operation: str, params: dict[str, Any]) -> None:
    """JSON may carry \\ud800, which no UTF-8 text holds: refused as DynamoDB would (it raised out of the
    checks, and the connection was dropped with no answer and no record)."""
    refused = validation.refusal("dynamodb", operation, params)
    assert refused is not None
    code, message = refused
    assert code == "SerializationException" and "not valid Unicode" in message

"""Garbage made by the student's code, graded for real: every class is that student's failure, with a
message of bounded size, never a check that could not be graded, and never a classmate's trouble.

One roster run, serial and with two workers: the reference solution, a student whose six files each
make another kind of garbage (values the judging does not expect, a report nested thousands deep,
source the compiler cannot take, a message of many kilobytes), one whose handler returns a value
nested too deep to encode, then the reference solution again. And a student's own table holding
values an emulator keeps and DynamoDB refuses, read by the live checks.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from grader.reports.text import MESSAGE_CAP
from tests import harness
from tests.test_code_tasks import CODE_TASKS, SANDBOX_TIMEOUT

SOLUTION = harness.PROJECT_ROOT / "solution"
FILES = ("query_gsi.py", "query_lsi.py", "lambda_function.py", "batch_operations.py",
         "conditional_writes.py", "read_patterns.py")  # fmt: skip
UNCHECKED = """
import os
import boto3
from botocore.config import Config

TABLE = os.environ["ORDERS_TABLE"]
client = boto3.client("dynamodb", config=Config(parameter_validation=False, retries={"max_attempts": 1}))


def send(operation, **params):
    try:
        return getattr(client, operation)(**params)
    except Exception as exc:
        print(type(exc).__name__)
"""
"""A client that sends whatever it is given: boto3's own validation off, as a hostile student may."""


def unchecked(code: str) -> str:
    """The code after UNCHECKED's client and its `send`."""
    return UNCHECKED + code


GARBAGE = {
    # an expression that is not a string
    "query_gsi.py": unchecked("""
send("query", TableName=TABLE, IndexName="StatusDateIndex", KeyConditionExpression=5,
     ExpressionAttributeNames={"#status": 7}, ExpressionAttributeValues={":s": {"S": "pending"}})
"""),
    # source that breaks the host's compile pre-check (MemoryError in the parser)
    "query_lsi.py": "x = " + "-" * 100_000 + "1\n",
    # a step report nested thousands deep, written to every descriptor the process holds
    "lambda_function.py": """
import os, struct
deep = b"[" * 300_000 + b"]" * 300_000
for fd in range(3, 64):
    try:
        os.write(fd, struct.pack(">I", len(deep)) + deep)
    except OSError:
        pass


def lambda_handler(event, context):
    return {"statusCode": 200, "body": "1"}
""",
    # a returned N that is not a number; a written set moto keeps and DynamoDB refuses (refused at the
    # gateway since the emulator checks requests as DynamoDB does)
    "batch_operations.py": unchecked("""

def batch_get_orders(order_keys):
    send("batch_get_item", RequestItems={TABLE: {"Keys": order_keys}})
    return [{"customer_id": {"N": "not a number"}, "order_id": {"S": "ORD0001"}}]


def batch_update_status(order_keys, new_status):
    typed = [{name: {"S": value} for name, value in key.items()} for key in order_keys]
    items = [{"PutRequest": {"Item": {**key, "status": {"S": new_status}, "tags": {"NS": ["x", "x"]}}}}
             for key in typed]
    send("batch_write_item", RequestItems={TABLE: items})
"""),
    # a value that is not a number in an expression's values
    "conditional_writes.py": unchecked("""
send("update_item", TableName=TABLE, Key={"customer_id": {"S": "CUST001"}, "order_id": {"S": "ORD0001"}},
     UpdateExpression="SET #status = :next", ConditionExpression="#status = :expected",
     ExpressionAttributeNames={"#status": "status"},
     ExpressionAttributeValues={":next": {"S": "processing"}, ":expected": {"N": "pending"}})
"""),
    # calls naming 40 tables of 250 characters: a message of ten kilobytes
    "read_patterns.py": unchecked("""
for number in range(40):
    send("get_item", TableName=f"{number:03d}" + "t" * 247, Key={"customer_id": {"S": "CUST001"}})
"""),
}
DEEP_RESULT = """
def lambda_handler(event, context):
    value = []
    for _ in range(100_000):
        value = [value]
    return value
"""
"""A return value nested far past what JSON encoders and decoders take."""

LIVE_ITEM_TASKS = {4: "data", 5: "gsi_query", 6: "lsi_query", 10: "ttl"}
"""Tasks whose live checks read the student's items."""

pytestmark = [pytest.mark.long, pytest.mark.timeout(600)]


def _submission(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name in FILES:
        shutil.copy(SOLUTION / name, folder / name)
    for name, source in files.items():
        (folder / name).write_text(textwrap.dedent(source))
    return folder


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "two-workers"])
def test_each_class_of_garbage_is_the_students_failure(
    moto_endpoint: str, tmp_path: Path, workers: tuple[str, ...]
) -> None:
    students = {
        harness.new_student_id("before"): SOLUTION,
        harness.new_student_id("garbage"): _submission(tmp_path / "garbage", GARBAGE),
        harness.new_student_id("deep"): _submission(tmp_path / "deep", {"lambda_function.py": DEEP_RESULT}),
        harness.new_student_id("after"): SOLUTION,
    }
    for student in students:
        harness.deploy_reference(moto_endpoint, student)
    timeout = f"--sandbox-timeout={SANDBOX_TIMEOUT + 2}"
    runs = harness.grade_class(moto_endpoint, students, tmp_path / "class", timeout, *workers)
    before, garbage, deep, after = runs.values()
    for run in runs.values():
        assert run.grade is not None and run.grade["complete"], run.output
        for task in run.grade["tasks"]:
            for check in task["checks"]:
                assert check["status"] != "error" and len(check["message"]) <= MESSAGE_CAP, check
    failed = {
        task: [c for c in garbage.task(task)["checks"] if c["status"] == "failed"] for task in CODE_TASKS
    }
    assert "query_gsi.py made values the grader cannot read" in failed[5][0]["message"]
    assert "nested too deeply for Python's compiler (MemoryError)" in failed[6][0]["message"]
    assert "sent the grader what it cannot read: a message nested more than" in failed[8][0]["message"]
    assert "batch_operations.py made values the grader cannot read" in failed[9][0]["message"]
    # the set DynamoDB refuses never reaches the table: the gateway answers ValidationException
    # (tests/test_hostile_emulator.py), so the update did not happen, and that is what fails
    rest = garbage.check(9, "keeps the rest of each order")
    assert rest["status"] == "failed" and "ORD0004 has status delivered" in rest["message"], rest
    assert "conditional_writes.py made values the grader cannot read" in failed[12][0]["message"]
    assert failed[13][0]["message"].endswith("more characters]"), failed[13][0]
    assert deep.check(8, "statusCode 200")["status"] == "failed"
    for classmate in (before, after):
        assert classmate.grade is not None and classmate.grade["score"] == 100, classmate.output


def test_items_an_emulator_keeps_and_dynamodb_refuses_are_judged(moto_endpoint: str, tmp_path: Path) -> None:
    """The student's own table on an emulator may hold what DynamoDB refuses: an NS of words, an N of
    letters in a list (boto3 reads both as NaN). The live checks judge such an order, never error."""
    student = harness.new_student_id("oddset")
    deployment = harness.deploy_reference(moto_endpoint, student)
    odd = {"customer_id": {"S": "CUST001"}, "order_id": {"S": "ORD0999"}, "status": {"S": "pending"},
           "order_date": {"S": "2026-01-01"}, "quantity": {"NS": ["x", "y"]}, "total_amount": {"N": "5"},
           "expiry_date": {"L": [{"N": "zz"}]}}  # fmt: skip
    deployment.client("dynamodb").put_item(TableName=f"orders-{student}", Item=odd)
    modules = [f"tests_assessment/test_task{n:02d}_{name}.py" for n, name in LIVE_ITEM_TASKS.items()]
    run = harness.grade_on(moto_endpoint, student, tmp_path, f"--submission-dir={SOLUTION}", *modules)
    assert run.grade is not None, run.output
    for number in LIVE_ITEM_TASKS:
        assert run.task(number)["status"] == "passed", run.task(number)  # judged: the other orders count

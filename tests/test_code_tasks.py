"""The code checks both ways, through the real grader: the solution's files pass every check, and
each broken variant of one file (made from the solution by a textual edit) fails exactly its check.

Variants of different files are independent, so one submission holds several; each submission is a
student of one roster run.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import harness

SOLUTION = harness.PROJECT_ROOT / "solution"
CODE_MODULES = (
    "tests_assessment/test_task05_gsi_query.py",
    "tests_assessment/test_task06_lsi_query.py",
    "tests_assessment/test_task08_lambda.py",
    "tests_assessment/test_task09_batch_operations.py",
    "tests_assessment/test_task12_conditional_writes.py",
    "tests_assessment/test_task13_read_patterns.py",
)
CODE_TASKS = (5, 6, 8, 9, 12, 13)
SANDBOX_TIMEOUT = 3


@dataclass(frozen=True)
class Variant:
    file: str
    old: str
    """Text of the solution file to replace (must occur exactly once); '' deletes the file."""
    new: str
    failing: tuple[tuple[int, str], ...]
    """(task, part of the check name) of every check the variant must fail, and no other."""
    phrase: str
    """What each failing check's message must say."""


VARIANTS = {
    "gsi-no-placeholder": Variant(
        "query_gsi.py",
        '"KeyConditionExpression": Key("status").eq(status)}',
        '"KeyConditionExpression": "status = :s", "ExpressionAttributeValues": {":s": status}}',
        ((5, "query_gsi.py queries StatusDateIndex"),),
        "names the reserved word status directly",
    ),
    "gsi-endless-loop": Variant(
        "query_gsi.py",
        'if __name__ == "__main__":',
        'while True:\n    pass\n\nif __name__ == "__main__":',
        ((5, "query_gsi.py queries StatusDateIndex"),),
        f"did not finish within {SANDBOX_TIMEOUT} s",
    ),
    "lsi-ascending": Variant(
        "query_lsi.py",
        "        ScanIndexForward=False,\n",
        "",
        ((6, "highest total_amount first"),),
        "ScanIndexForward='not set'",
    ),
    "lsi-placeholder-table": Variant(
        "query_lsi.py",
        "TABLE_NAME = os.environ.get",
        'TABLE_NAME = "orders-STUDENTID"  # os.environ.get',
        ((6, "queries CustomerAmountIndex"), (6, "highest total_amount first")),
        "used table orders-STUDENTID (the placeholder left in)",
    ),
    "batch-get-loop": Variant(
        "batch_operations.py",
        "            response = dynamodb.batch_get_item(RequestItems=request)\n"
        '            orders.extend(response["Responses"].get(TABLE_NAME, []))\n'
        '            request = response.get("UnprocessedKeys") or {}\n',
        '            for key in request[TABLE_NAME]["Keys"]:\n'
        '                orders.append(table.get_item(Key=key)["Item"])\n'
        "            request = {}\n",
        ((9, "reads with one BatchGetItem"),),
        "GetItem",
    ),
    "batch-get-echoes-keys": Variant(
        "batch_operations.py",
        "def batch_get_orders(order_keys):\n",
        "def batch_get_orders(order_keys):\n"
        "    if len(order_keys) == 3:  # the grader's batch get: hand back its keys, read nothing\n"
        "        return [dict(key) for key in order_keys]\n",
        ((9, "returns the orders with those keys"), (9, "reads with one BatchGetItem")),
        "no AWS call",
    ),
    "batch-put-loop": Variant(
        "batch_operations.py",
        "    with table.batch_writer() as batch:\n        for order in orders:\n            batch.put_item(",
        "    for order in orders:\n        if True:\n            table.put_item(",
        ((9, "writes with BatchWriteItem"),),
        "PutItem",
    ),
    "batch-overwrite": Variant(
        "batch_operations.py",
        'batch.put_item(Item={**order, "status": new_status})',
        'batch.put_item(Item={"customer_id": order["customer_id"], "order_id": order["order_id"], '
        '"status": new_status})',
        ((9, "sets the status and keeps the rest"),),
        "ORD0004 lost created_at, order_date",
    ),
    "update-without-condition": Variant(
        "conditional_writes.py",
        '            ConditionExpression="#status = :expected",\n'
        '            ExpressionAttributeNames={"#status": "status"},\n'
        '            ExpressionAttributeValues={":next": "processing", ":expected": "pending"},\n',
        '            ExpressionAttributeNames={"#status": "status"},\n'
        '            ExpressionAttributeValues={":next": "processing"},\n',
        ((12, "only lets a pending order change"),),
        "has no ConditionExpression",
    ),
    "condition-failure-not-caught": Variant(
        "conditional_writes.py",
        '        print("ORD0001 is not pending any more: status left unchanged")',
        "        raise",
        ((12, "a failed condition is caught"),),
        "the second run of conditional_writes.py did not finish; it raised ConditionalCheckFailed",
    ),
    "conditional-syntax-error": Variant(
        "conditional_writes.py",
        'if __name__ == "__main__":',
        'def broken(:\n    pass\n\nif __name__ == "__main__":',
        (
            (12, "only lets a pending order change"),
            (12, "attribute_not_exists"),
            (12, "a failed condition is caught"),
            (12, "ends in status processing"),
        ),
        "has a syntax error at line",
    ),
    "gets-both-strong": Variant(
        "read_patterns.py",
        "cached = client.get_item(TableName=TABLE_NAME, Key=ORDER_KEY)",
        "cached = client.get_item(TableName=TABLE_NAME, Key=ORDER_KEY, ConsistentRead=True)",
        ((13, "GetItem with eventual consistency"),),
        "none eventually consistent",
    ),
    "strong-query": Variant(
        "read_patterns.py",
        "    ConsistentRead=False,\n",
        "    ConsistentRead=True,\n",
        ((13, "Query of the base table"),),
        "none eventually consistent",
    ),
    "read-patterns-missing": Variant(
        "read_patterns.py",
        "",
        "",
        ((13, "ConsistentRead=True"), (13, "GetItem with eventual"), (13, "Query of the base table")),
        "expected submission/read_patterns.py",
    ),
    "handler-crashes-on-remove": Variant(
        "lambda_function.py",
        "print(f\"Order removed: {_text(old_image, 'order_id')}\")",
        "print(f\"Order removed: {new_image['order_id']['S']}\")",
        ((8, "does not crash on REMOVE"),),
        "crashed on REMOVE; it raised KeyError: 'order_id'",
    ),
    "handler-no-count": Variant(
        "lambda_function.py",
        'json.dumps(f"Processed {len(records)} records")',
        'json.dumps("done")',
        ((8, "statusCode 200 and the number of records"),),
        'returned {"statusCode": 200, "body": "\\"done\\""}',
    ),
    "handler-logs-unchanged-status": Variant(
        "lambda_function.py",
        "            if old_status != new_status:\n",
        "            if True:\n",
        ((8, "prints no status-change line"),),
        "kept its status, yet the handler printed",
    ),
    "handler-first-record-only": Variant(
        "lambda_function.py",
        "    for record in records:\n",
        "    for record in records[:1]:\n",
        ((8, "on a batch of records"),),
        "no status-change line for ORD0112",
    ),
}
RUNS = {
    # Each run is one submission holding these variants (at most one per file).
    "run-a": (
        "gsi-no-placeholder",
        "lsi-ascending",
        "batch-get-loop",
        "update-without-condition",
        "gets-both-strong",
        "handler-crashes-on-remove",
    ),
    "run-b": (
        "gsi-endless-loop",
        "lsi-placeholder-table",
        "batch-put-loop",
        "condition-failure-not-caught",
        "strong-query",
        "handler-no-count",
    ),
    "run-c": (
        "batch-overwrite",
        "conditional-syntax-error",
        "read-patterns-missing",
        "handler-logs-unchanged-status",
    ),
    "run-d": ("handler-first-record-only", "batch-get-echoes-keys"),
}


def make_submission(directory: Path, variants: list[Variant]) -> Path:
    """The solution's submission files, with each variant's edit applied."""
    directory.mkdir()
    for name in (
        "query_gsi.py",
        "query_lsi.py",
        "lambda_function.py",
        "batch_operations.py",
        "conditional_writes.py",
        "read_patterns.py",
    ):
        shutil.copy(SOLUTION / name, directory / name)
    for variant in variants:
        path = directory / variant.file
        if not variant.old:
            path.unlink()
            continue
        source = path.read_text()
        assert source.count(variant.old) == 1, (variant.file, variant.old)
        path.write_text(source.replace(variant.old, variant.new))
    return directory


ALTERNATIVE = Path(__file__).parent / "submissions" / "alternative"
"""Other valid ways: resource API, condition objects, a get per key before a batch writer, a count field."""


@pytest.mark.long
def test_each_variant_fails_exactly_its_checks_and_other_valid_ways_pass(
    moto_endpoint: str, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    """Each run's submission and the alternative one are a student of one roster, with the reference
    deployed (so the live checks of tasks 5, 6 and 8 pass and only code checks vary)."""
    submissions = {
        name: make_submission(tmp_path / name, [VARIANTS[variant] for variant in variants])
        for name, variants in RUNS.items()
    }
    students = {name: harness.new_student_id("code") for name in [*submissions, "alternative"]}
    for student in students.values():
        harness.deploy_reference(moto_endpoint, student)
    directories = {students[name]: path for name, path in {**submissions, "alternative": ALTERNATIVE}.items()}
    graded = harness.grade_class(
        moto_endpoint, directories, tmp_path / "class", f"--sandbox-timeout={SANDBOX_TIMEOUT}", *CODE_MODULES
    )
    runs = {name: graded[student] for name, student in students.items()}
    for name, variants in RUNS.items():
        with subtests.test(run=name):
            run = runs[name]
            not_passed = {key: status for key, status in run.not_passed().items() if key[0] in CODE_TASKS}
            expected = {}
            for variant in (VARIANTS[variant] for variant in variants):
                for task, name_part in variant.failing:
                    check = run.check(task, name_part)
                    assert check["status"] == "failed", (variant, check)
                    assert variant.phrase in check["message"] and "expected" in check["message"], check
                    expected[(task, check["name"])] = "failed"
            assert not_passed == expected, run.output
    with subtests.test("other valid ways pass every code check"):
        run = runs["alternative"]
        assert {key: s for key, s in run.not_passed().items() if key[0] in CODE_TASKS} == {}, run.output


def test_solution_files_pass_every_code_check(reference_run: harness.GraderRun) -> None:
    for task in CODE_TASKS:
        graded = reference_run.task(task)
        assert graded["status"] == "passed", graded
        assert graded["score"] == graded["max_score"]


@pytest.mark.parametrize("seconds", ["0", "91", "soon"])
def test_sandbox_timeout_is_validated(seconds: str, tmp_path: Path) -> None:
    run = harness.run_grader(tmp_path, "--student-id=x", f"--sandbox-timeout={seconds}", CODE_MODULES[-1])
    assert run.exit_code == 4 and f"invalid --sandbox-timeout '{seconds}'" in run.output

"""The handler's output as Lambda logs it: standard output, standard error and logging records at the
level Lambda's Python runtime lets through (its handler on the root logger; WARNING unless lowered).
Both ways: in the sandbox, in the Task 8 checks' messages, and through the real grader."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from grader.failures import RequirementFailed
from grader.sandbox import isolation, plans, runner
from grader.sandbox.record import Record, Step, Unlogged
from tests import harness
from tests_assessment import test_task08_lambda as task8

SOLUTION = harness.PROJECT_ROOT / "solution"
DROPPED = "logged at INFO, but the root logger's level is WARNING, as in Lambda"
LOOP = "Loop over every record"

HANDLER = """
import json
import logging
import sys
{setup}

def _s(image, name):
    return image.get(name, {{}}).get("S", "unknown")

def lambda_handler(event, context):
    records = event["Records"]
    for record in records{only_first}:
        new, old = record["dynamodb"].get("NewImage", {{}}), record["dynamodb"].get("OldImage", {{}})
        order, customer, status = (_s(new, name) for name in ("order_id", "customer_id", "status"))
        if record["eventName"] == "INSERT":
            logger.info("New order %s for %s is %s", order, customer, status)
        elif record["eventName"] == "MODIFY" and _s(old, "status") != status:
            print(f"Order {{order}}: {{_s(old, 'status')}} -> {{status}}", file=sys.stderr)
    return {{"statusCode": 200, "body": json.dumps(f"Processed {{len(records)}} records")}}
"""
SETUPS = {
    # Lambda's runtime logs INFO once the handler lowers the level: on the root logger or its own.
    "root at INFO": "logger = logging.getLogger()\nlogger.setLevel(logging.INFO)",
    "own logger at INFO": "logger = logging.getLogger(__name__)\nlogger.setLevel(logging.INFO)",
    "own handler made at import": "logger = logging.getLogger('orders')\nlogger.setLevel(logging.INFO)\n"
    "logger.addHandler(logging.StreamHandler(sys.stdout))\nlogger.propagate = False",
    # basicConfig does nothing where the runtime already gave the root logger a handler: INFO is dropped.
    "basicConfig": "logging.basicConfig(level=logging.INFO)\nlogger = logging.getLogger(__name__)",
}


def handler(setup: str, only_first: bool = False) -> str:
    return HANDLER.format(setup=SETUPS[setup], only_first="[:1]" if only_first else "")


def sandbox_run(folder: Path, source: str) -> Record:
    folder.mkdir()
    (folder / "lambda_function.py").write_text(textwrap.dedent(source))
    mode = isolation.choose("auto")[0]
    return runner.run(
        plans.LAMBDA_FUNCTION, runner.SandboxConfig(folder, "orders-probe", "probe", "us-east-1", 20, mode)
    )


@pytest.mark.parametrize("setup", ["root at INFO", "own logger at INFO", "own handler made at import"])
def test_logging_at_info_after_lowering_the_level_is_the_handlers_output(tmp_path: Path, setup: str) -> None:
    record = sandbox_run(tmp_path / "f", handler(setup))
    insert, change = record.step("INSERT"), record.step("MODIFY with a status change")
    assert "New order ORD0101 for CUST003 is pending" in insert.stdout, insert
    assert "Order ORD0102: pending -> shipped" in change.stdout, "standard error is logged too"
    assert insert.unlogged == change.unlogged == ()
    if setup == "root at INFO":
        assert insert.stdout.startswith("[INFO]\t") and "\tNew order ORD0101" in insert.stdout, (
            "Lambda's text format"
        )
    for check in (task8.test_handler_logs_new_orders, task8.test_handler_logs_status_changes,
                  task8.test_handler_processes_each_record_of_a_batch):  # fmt: skip
        check(record)


def test_logging_below_the_runtimes_level_is_noted_not_logged(tmp_path: Path) -> None:
    """basicConfig does nothing in Lambda: the root logger stays at WARNING, INFO records are dropped;
    boto3's own debug records are not the student's."""
    source = handler("basicConfig") + "\nimport boto3\nboto3.client('dynamodb')\n"
    record = sandbox_run(tmp_path / "f", source)
    insert = record.step("INSERT")
    assert "ORD0101" not in insert.stdout
    assert insert.unlogged == (
        Unlogged("INFO", "root", "WARNING", "New order ORD0101 for CUST003 is pending"),
    )
    assert record.step("import").unlogged == ()
    with pytest.raises(RequirementFailed) as raised:
        task8.test_handler_logs_new_orders(record)
    assert (
        f"{DROPPED}: 'New order ORD0101 for CUST003 is pending' never reaches CloudWatch"
        in raised.value.message
    )
    assert "logging.getLogger().setLevel(logging.INFO)" in raised.value.message


# The batch check's hint, on records the sandbox would make -----------------------------------------
def _step(name: str, lines: str, unlogged: tuple[Unlogged, ...] = ()) -> Step:
    return Step(name, 0, None, {"statusCode": 200}, lines, 0, (), (), unlogged)


def _record(lines: dict[str, str], unlogged: tuple[Unlogged, ...] = ()) -> Record:
    steps = [_step(name, lines.get(name, ""), unlogged) for name in plans.HANDLER_EVENTS]
    return Record("lambda_function.py", None, (_step("import", ""), *steps))


SINGLE = {
    "INSERT": "New order ORD0101 (CUST003): pending",
    "MODIFY with a status change": "ORD0102 pending -> shipped",
}


@pytest.mark.parametrize(
    "lines, unlogged, hint",
    [
        ({**SINGLE, "a batch of 3 records": "New order ORD0111 (CUST005): processing"}, (), LOOP),
        ({"a batch of 3 records": "Processing 3 records"}, (), "Print a line for each record"),
        ({}, (), "Print a line for each record"),
        ({}, (Unlogged("INFO", "root", "WARNING", "New order ORD0111"),), "logging.getLogger().setLevel"),
    ],
    ids=["first record only", "no line per record", "silent", "dropped by the log level"],
)
def test_the_batch_hint_fits_what_happened(
    lines: dict[str, str], unlogged: tuple[Unlogged, ...], hint: str
) -> None:
    with pytest.raises(RequirementFailed) as raised:
        task8.test_handler_processes_each_record_of_a_batch(_record(lines, unlogged))
    message = raised.value.message
    assert hint in message and (hint == LOOP) == (LOOP in message), message
    assert (DROPPED in message) == bool(unlogged), message


def test_a_batch_logged_in_full_passes() -> None:
    batch = "New order ORD0111 (CUST005): processing\nORD0112 processing -> delivered"
    task8.test_handler_processes_each_record_of_a_batch(_record({**SINGLE, "a batch of 3 records": batch}))


# Through the real grader ----------------------------------------------------------------------------
SUBMISSIONS: dict[str, dict[str, Any]] = {
    "logs": {
        "lambda_function.py": handler("root at INFO"),
        "query_gsi.py": ("print(f\"  {order['order_id']}", "pass  # ("),
    },
    "drops": {
        "lambda_function.py": handler("basicConfig"),
        "query_gsi.py": ('print(f"{len(orders)}', "pass  # ("),
    },
    "first": {"lambda_function.py": handler("root at INFO", only_first=True)},
}
"""Each: the solution with lambda_function.py replaced, and query_gsi.py with a print edited away."""


def _submission(folder: Path, files: dict[str, Any]) -> Path:
    folder.mkdir()
    for name in ("query_gsi.py", "lambda_function.py"):
        shutil.copy(SOLUTION / name, folder / name)
    for name, change in files.items():
        path = folder / name
        if isinstance(change, str):
            path.write_text(textwrap.dedent(change))
        else:
            old, new = change
            source = path.read_text()
            assert source.count(old) == 1, (name, old)
            path.write_text(source.replace(old, new))
    return folder


@pytest.mark.long
def test_lambda_output_and_query_scripts_through_the_grader(moto_endpoint: str, tmp_path: Path) -> None:
    """A handler logging at INFO after setLevel, and query_gsi.py printing only a count or nothing,
    earn every point of their code checks; INFO records Lambda would drop fail the line checks, saying
    why (standard error still counts); a handler printing for the first record only keeps the hint to
    loop."""
    ids = {name: harness.new_student_id(name) for name in SUBMISSIONS}
    folders = {ids[name]: _submission(tmp_path / name, files) for name, files in SUBMISSIONS.items()}
    graded = harness.grade_class(
        moto_endpoint, folders, tmp_path / "class",
        "tests_assessment/test_task05_gsi_query.py", "tests_assessment/test_task08_lambda.py",
    )  # fmt: skip
    runs = {name: graded[student] for name, student in ids.items()}
    for name in ("logs", "drops"):
        assert runs[name].check(5, "query_gsi.py queries StatusDateIndex")["status"] == "passed", name
    sandbox_checks = [
        c for c in runs["logs"].task(8)["checks"] if c["name"].startswith(("on ", "it ", "lambda_"))
    ]
    assert len(sandbox_checks) == 6 and all(c["status"] == "passed" for c in sandbox_checks), sandbox_checks
    for part in ("prints the new order", "on a batch of records"):
        dropped = runs["drops"].check(8, part)
        assert dropped["status"] == "failed" and DROPPED in dropped["message"], dropped
        assert LOOP not in dropped["message"], dropped
    assert runs["drops"].check(8, "prints the order id with the old")["status"] == "passed", (
        "printed to stderr"
    )
    first = runs["first"].check(8, "on a batch of records")
    assert first["status"] == "failed" and LOOP in first["message"], first


@pytest.mark.parametrize(
    "setting, level", [("", "WARNING"), ("DEBUG", "DEBUG"), ("warn", "WARNING"), ("FATAL", "CRITICAL")]
)
def test_the_runtimes_root_logger(setting: str, level: str) -> None:
    """As the runtime sets it up: one handler on the root logger, at AWS_LAMBDA_LOG_LEVEL when set."""
    probe = (
        "import logging, sys; sys.path.insert(0, 'grader/sandbox'); import inside; "
        "inside.set_up_lambda_logging(); root = logging.getLogger(); "
        "print(logging.getLevelName(root.level), [type(h).__name__ for h in root.handlers])"
    )
    env = harness.clean_env(AWS_LAMBDA_LOG_LEVEL=setting)
    command = [sys.executable, "-I", "-c", probe]
    done = subprocess.run(
        command, cwd=harness.PROJECT_ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split(" ", 1) == [level, "['LambdaLogHandler']\n"], done.stderr

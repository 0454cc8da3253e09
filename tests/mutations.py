"""Helpers of the live self-tests: break a reference deployment in one way, then read the verdict."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from grader.assessment import seed_orders
from solution.deploy import Deployment
from tests import harness
from tests_assessment import test_task08_lambda

Spec = dict[str, Any]
SERIALIZER = TypeSerializer()

MODULES = {
    1: "tests_assessment/test_task01_table.py",
    2: "tests_assessment/test_task02_gsi.py",
    3: "tests_assessment/test_task03_lsi.py",
    4: "tests_assessment/test_task04_data.py",
    7: "tests_assessment/test_task07_streams.py",
    8: "tests_assessment/test_task08_lambda.py",
    10: "tests_assessment/test_task10_ttl.py",
    11: "tests_assessment/test_task11_alarms.py",
}


TASK8_TESTS = {
    name: (fn.__doc__ or "").strip().splitlines()[0]
    for name, fn in vars(test_task08_lambda).items()
    if name.startswith("test_") and "lambda_function_run" not in inspect.signature(fn).parameters
}
"""Task 8's deployment checks, function name -> check name: those that do not run the student's handler."""
TASK8_DEPLOYMENT_CHECKS = set(TASK8_TESTS.values())


def table_spec(d: Deployment) -> Spec:
    """CreateTable parameters reproducing the deployed table (indexes, stream, tags)."""
    ddb = d.client("dynamodb")
    table = ddb.describe_table(TableName=d.names["table"])["Table"]
    spec: Spec = {
        "TableName": table["TableName"],
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": table["AttributeDefinitions"],
        "KeySchema": table["KeySchema"],
        "Tags": ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"],
    }
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        spec[kind] = [
            {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
            for i in table.get(kind, [])
        ]
    spec["StreamSpecification"] = table["StreamSpecification"]
    return spec


def index_of(spec: Spec, kind: str) -> dict[str, Any]:
    """The one GSI or LSI of a reference table spec."""
    (index,) = spec[kind]
    return index


def recreate_table(
    d: Deployment,
    edit: Callable[[Spec], None] = lambda spec: None,
    load: bool = True,
    create: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """Delete the table and create it again (by default through the client) with edit applied to its
    spec, then reload the reference orders; the table gets a new stream, so the mapping goes stale."""
    spec = table_spec(d)
    edit(spec)
    spec = {k: v for k, v in spec.items() if v != []}
    ddb = d.client("dynamodb")
    ddb.delete_table(TableName=d.names["table"])
    ddb.get_waiter("table_not_exists").wait(TableName=d.names["table"], WaiterConfig={"Delay": 1})
    (create or ddb.create_table)(**spec)
    ddb.get_waiter("table_exists").wait(TableName=d.names["table"], WaiterConfig={"Delay": 1})
    if load:
        d.load_orders()
    return ddb.describe_table(TableName=d.names["table"])["Table"]


def resource_table(d: Deployment, endpoint_url: str) -> Any:
    """The student's table through boto3's resource API, as the assessment's snippets use it."""
    dynamodb = harness.emulator_session().resource("dynamodb", endpoint_url=endpoint_url)
    return dynamodb.Table(d.names["table"])


def delete_orders(d: Deployment, keys: list[tuple[str, str]]) -> None:
    ddb = d.client("dynamodb")
    for customer, order in keys:
        ddb.delete_item(
            TableName=d.names["table"], Key={"customer_id": {"S": customer}, "order_id": {"S": order}}
        )


def typed(order: dict[str, Any]) -> dict[str, Any]:
    """An order in DynamoDB's typed form."""
    return {k: SERIALIZER.serialize(v) for k, v in order.items()}


def put_orders(d: Deployment, orders: list[dict[str, Any]]) -> None:
    ddb = d.client("dynamodb")
    for order in orders:
        ddb.put_item(TableName=d.names["table"], Item=typed(order))


def reference_keys() -> list[tuple[str, str]]:
    return [(o["customer_id"], o["order_id"]) for o in seed_orders()]


def selection(tasks: Iterable[int]) -> list[str]:
    """The grading suite's arguments that select the given tasks (of task 8, its deployment checks)."""
    return [
        target
        for task in sorted(set(tasks))
        for target in ([f"{MODULES[8]}::{name}" for name in TASK8_TESTS] if task == 8 else [MODULES[task]])
    ]


def grade(endpoint_url: str, student_id: str, workdir: Any, *tasks: int) -> harness.GraderRun:
    """Grade only the given tasks (of task 8, only its deployment checks)."""
    return harness.grade_on(endpoint_url, student_id, workdir, *selection(tasks))


def verdicts(run: harness.GraderRun, tasks: tuple[int, ...]) -> dict[tuple[int, str], dict[str, Any]]:
    """(task, check name) -> check, over the graded tasks (task 8: its deployment checks only)."""
    return {
        (task, check["name"]): check
        for task in tasks
        for check in run.task(task)["checks"]
        if task != 8 or check["name"] in TASK8_DEPLOYMENT_CHECKS
    }


def assert_only_failures(
    run: harness.GraderRun, tasks: tuple[int, ...], failing: dict[tuple[int, str], str]
) -> None:
    """Exactly the checks named (task, part of the name) fail, each message carrying its phrase
    and an expectation; every other check of the graded tasks passes."""
    checks = verdicts(run, tasks)
    for task, part in failing:
        matched = [name for (t, name) in checks if t == task and part in name]
        assert len(matched) == 1, (task, part, matched)
    for (task, name), check in checks.items():
        phrases = [p for (t, part), p in failing.items() if t == task and part in name]
        if phrases:
            assert check["status"] == "failed", (name, check, run.output[-3000:])
            assert phrases[0] in check["message"], (name, phrases[0], check["message"])
            assert "expected" in check["message"], check["message"]
        else:
            assert check["status"] == "passed", (name, check, run.output[-3000:])


def fresh(endpoint_url: str, prefix: str = "t") -> Deployment:
    """The reference solution deployed for a new student id."""
    return harness.deploy_reference(endpoint_url, harness.new_student_id(prefix))


Mutation = tuple[Callable[[Deployment], Any], tuple[int, ...], dict[tuple[int, str], str]]
"""(the mistake, the tasks to grade, (task, part of a check name) -> phrase its message carries)."""


def grade_mutations(
    mutations: Mapping[str, Mutation], endpoint_url: str, workdir: Path
) -> dict[str, harness.GraderRun]:
    """Each mistake made on a reference deployment of its own, and all of them graded in one roster run
    over every task any of them grades: mistake -> that student's run."""
    students = {}
    for name, (mutate, _, _) in mutations.items():
        deployment = fresh(endpoint_url)
        mutate(deployment)
        students[name] = deployment.student_id
    tasks = {task for _, graded, _ in mutations.values() for task in graded}
    runs = harness.grade_class(endpoint_url, dict.fromkeys(students.values()), workdir, *selection(tasks))
    return {name: runs[student] for name, student in students.items()}


def assert_each_fails_exactly(
    mutations: Mapping[str, Mutation], runs: Mapping[str, harness.GraderRun], subtests: pytest.Subtests
) -> None:
    """Of each mistake's graded tasks, exactly the checks named fail (a subtest per mistake)."""
    for name, (_, tasks, failing) in mutations.items():
        with subtests.test(mutation=name):
            assert_only_failures(runs[name], tasks, failing)

"""Task 1 both ways: the reference passes; each single mistake fails exactly its own check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grader.aws.views import TableView
from grader.failures import RequirementFailed
from solution.deploy import Deployment
from tests import harness
from tests.mutations import Mutation, assert_each_fails_exactly, grade_mutations
from tests_assessment import test_task01_table as task1

TASK1 = "tests_assessment/test_task01_table.py"


def provisioned_billing(d: Deployment) -> None:
    d.client("dynamodb").update_table(
        TableName=d.names["table"], BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        GlobalSecondaryIndexUpdates=[{"Update": {
            "IndexName": "StatusDateIndex",
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}}])


def untag(key: str) -> Callable[[Deployment], None]:
    def mutate(d: Deployment) -> None:
        ddb = d.client("dynamodb")
        arn = ddb.describe_table(TableName=d.names["table"])["Table"]["TableArn"]
        ddb.untag_resource(ResourceArn=arn, TagKeys=[key])
    return mutate


def retag(key: str, value: str) -> Callable[[Deployment], None]:
    def mutate(d: Deployment) -> None:
        ddb = d.client("dynamodb")
        arn = ddb.describe_table(TableName=d.names["table"])["Table"]["TableArn"]
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": key, "Value": value}])
    return mutate


def wrong_sort_key(d: Deployment) -> None:
    """The common slip: the table keyed on order_date instead of order_id."""
    ddb = d.client("dynamodb")
    ddb.delete_table(TableName=d.names["table"])
    ddb.create_table(
        TableName=d.names["table"], BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "customer_id", "AttributeType": "S"},
                              {"AttributeName": "order_date", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "customer_id", "KeyType": "HASH"},
                   {"AttributeName": "order_date", "KeyType": "RANGE"}],
        Tags=[{"Key": "Environment", "Value": "Production"},
              {"Key": "Application", "Value": "OrderManagement"},
              {"Key": "StudentID", "Value": d.student_id}])


MUTATIONS: dict[str, Mutation] = {
    # mutation id: (mutation, the task graded, {(1, the one check that must fail): a phrase of its message})
    "wrong-sort-key": (wrong_sort_key, (1,), {(1, "key is HASH customer_id"): "RANGE order_date"}),
    "provisioned": (provisioned_billing, (1,), {(1, "billing mode"): "PROVISIONED"}),
    "missing-tag": (untag("Application"), (1,), {(1, "tag Application"): "tag Application is missing"}),
    "wrong-tag-value": (retag("Environment", "production"), (1,),
                        {(1, "tag Environment"): "Environment=production"}),
    "other-student-tag": (retag("StudentID", "bob"), (1,), {(1, "tag StudentID"): "StudentID=bob"}),
}


@pytest.mark.long
def test_each_mistake_fails_exactly_its_check(moto_endpoint: str, tmp_path: Path,
                                              subtests: pytest.Subtests) -> None:
    """Graded in one roster run of task 1 alone: the other tasks, not collected, are not graded."""
    runs = grade_mutations(MUTATIONS, moto_endpoint, tmp_path)
    assert_each_fails_exactly(MUTATIONS, runs, subtests)
    for mutation, run in runs.items():
        with subtests.test("the other tasks are not graded", mutation=mutation):
            assert all(task == 1 or status == "error" for (task, _), status in run.not_passed().items())
            assert run.exit_code == 6, run.output  # grading incomplete


def test_reference_passes_every_task1_check(reference_run: harness.GraderRun) -> None:
    task = reference_run.task(1)
    assert task["status"] == "passed" and task["score"] == 10, task
    assert len(task["checks"]) == 7


def test_missing_table_fails_every_check_naming_task1(moto_endpoint: str, tmp_path: Path) -> None:
    run = harness.grade_on(moto_endpoint, harness.new_student_id("none"), tmp_path, TASK1)
    checks = run.task(1)["checks"]
    assert {c["status"] for c in checks} == {"failed"}, run.output
    assert {c["message"] for c in checks} == {checks[0]["message"]}
    assert "does not exist" in checks[0]["message"] and "Task 1" in checks[0]["message"]


@pytest.mark.parametrize("summary, passes", [
    ({}, True),  # moto (and older APIs) omit TableClassSummary: standard by default
    ({"TableClassSummary": {"TableClass": "STANDARD"}}, True),
    ({"TableClassSummary": {"TableClass": "STANDARD_INFREQUENT_ACCESS"}}, False),
])
def test_table_class_check(summary: dict[str, dict[str, str]], passes: bool) -> None:
    """moto never reports a table class, so the check's both ways are proven on descriptions."""
    described = {"TableName": "t", "TableArn": "arn:aws:dynamodb:::table/t", "TableStatus": "ACTIVE"}
    table = TableView.from_aws({**described, "KeySchema": [], **summary})
    if passes:
        task1.test_standard_table_class(table)
    else:
        with pytest.raises(RequirementFailed, match="table class is STANDARD_INFREQUENT_ACCESS"):
            task1.test_standard_table_class(table)

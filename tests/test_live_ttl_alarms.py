"""Tasks 10 and 11 both ways on moto; valid variants of 8 and 11; other students; missing prerequisites."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import TASKS_BY_NUMBER
from solution.deploy import STREAM_POLICY_ARN, Deployment
from solution.orders import expiry_timestamp
from tests import harness
from tests.mutations import (
    MODULES,
    TASK8_DEPLOYMENT_CHECKS,
    Mutation,
    assert_each_fails_exactly,
    fresh,
    grade,
    grade_mutations,
    verdicts,
)

STREAM_ACTIONS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]


def alarm_settings(d: Deployment, alarm: str) -> dict[str, Any]:
    """PutMetricAlarm parameters of one of the deployment's alarms, as deployed."""
    (found,) = d.client("cloudwatch").describe_alarms(AlarmNames=[d.names[alarm]])["MetricAlarms"]
    keys = (
        "AlarmName",
        "Namespace",
        "MetricName",
        "Dimensions",
        "Statistic",
        "Period",
        "EvaluationPeriods",
        "Threshold",
        "ComparisonOperator",
        "AlarmActions",
        "TreatMissingData",
    )
    return {k: found[k] for k in keys}


def realarm(alarm: str, **changes: Any) -> Callable[[Deployment], None]:
    """Put one of the reference alarms again with changes."""
    return lambda d: d.client("cloudwatch").put_metric_alarm(**alarm_settings(d, alarm) | changes)


def without_index_dimension(d: Deployment) -> None:
    settings = alarm_settings(d, "gsi_alarm")
    settings["Dimensions"] = [dim for dim in settings["Dimensions"] if dim["Name"] == "TableName"]
    d.client("cloudwatch").put_metric_alarm(**settings)


def delete_alarms(*alarms: str) -> Callable[[Deployment], None]:
    return lambda d: d.client("cloudwatch").delete_alarms(AlarmNames=[d.names[a] for a in alarms])


def one_user_errors_alarm(d: Deployment) -> None:
    """Read and write throttling folded into one UserErrors alarm: it counts for one of the two."""
    settings = alarm_settings(d, "read_alarm")
    delete_alarms("read_alarm", "write_alarm")(d)
    d.client("cloudwatch").put_metric_alarm(
        **settings
        | {"AlarmName": f"orders-{d.student_id}-throttling", "MetricName": "UserErrors", "Dimensions": []}
    )


def delete_topic(d: Deployment) -> None:
    (topic,) = alarm_settings(d, "read_alarm")["AlarmActions"]
    d.client("sns").delete_topic(TopicArn=topic)


def disable_ttl(d: Deployment) -> None:
    d.client("dynamodb").update_time_to_live(
        TableName=d.names["table"], TimeToLiveSpecification={"Enabled": False, "AttributeName": "expiry_date"}
    )


def ttl_on(attribute: str) -> Callable[[Deployment], None]:
    return lambda d: d.client("dynamodb").update_time_to_live(
        TableName=d.names["table"], TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
    )


READ, WRITE, GSI = "read-throttling alarm", "write-throttling alarm", "GSI-throttling alarm"
MUTATIONS: dict[str, Mutation] = {
    # id: (mutation, tasks graded, {(task, part of the failing check's name): phrase of its message})
    "ttl-disabled": (disable_ttl, (10,), {(10, "TTL is enabled"): "TTL is DISABLED on expiry_date"}),
    "ttl-on-another-attribute": (ttl_on("ttl"), (10,), {(10, "TTL is enabled"): "TTL is ENABLED on ttl"}),
    "read-alarm-period-60": (realarm("read_alarm", Period=60), (11,), {(11, f"{READ} fires"): "period 60 s"}),
    "write-alarm-average": (
        realarm("write_alarm", Statistic="Average"),
        (11,),
        {(11, f"{WRITE} fires"): "statistic Average (expected Sum)"},
    ),
    "gsi-alarm-threshold-5": (
        realarm("gsi_alarm", Threshold=5),
        (11,),
        {(11, f"{GSI} fires"): "GreaterThanThreshold 5 (expected GreaterThanThreshold 10"},
    ),
    "gsi-alarm-without-index-dimension": (
        without_index_dimension,
        (11,),
        {(11, f"{GSI} {check}"): "no GSI-throttling alarm of yours" for check in ("fires", "notifies")},
    ),
    "read-alarm-missing": (
        delete_alarms("read_alarm"),
        (11,),
        {(11, f"{READ} {check}"): "no read-throttling alarm of yours" for check in ("fires", "notifies")},
    ),
    "one-user-errors-alarm-for-read-and-write": (
        one_user_errors_alarm,
        (11,),
        {(11, f"{WRITE} {check}"): "no write-throttling alarm of yours" for check in ("fires", "notifies")},
    ),
    "write-alarm-on-another-table": (
        realarm("write_alarm", Dimensions=[{"Name": "TableName", "Value": "orders"}]),
        (11,),
        {
            (11, f"{WRITE} {check}"): "alarms named for you that watch another table: orders-t"
            for check in ("fires", "notifies")
        },
    ),
    "write-alarm-without-sns": (
        realarm("write_alarm", AlarmActions=[]),
        (11,),
        {(11, f"{WRITE} notifies"): "has no SNS topic among its alarm actions"},
    ),
    "topic-deleted": (
        delete_topic,
        (11,),
        {(11, f"{alarm} notifies"): "which does not exist" for alarm in (READ, WRITE, GSI)},
    ),
}


def put_alarm(
    d: Deployment, name: str, metric: str, dimensions: list[dict[str, str]], **settings: Any
) -> None:
    topic = d.client("sns").create_topic(Name=d.names["topic"])["TopicArn"]
    d.client("cloudwatch").put_metric_alarm(
        **{
            "AlarmName": name,
            "Namespace": "AWS/DynamoDB",
            "MetricName": metric,
            "Dimensions": dimensions,
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 5,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [topic],
        }
        | settings
    )


def inline_policy_and_user_errors_alarms(d: Deployment) -> None:
    """An inline stream policy instead of the managed one; UserErrors alarms named for the student."""
    iam = d.client("iam")
    iam.detach_role_policy(RoleName=d.names["role"], PolicyArn=STREAM_POLICY_ARN)
    table_arn = d.client("dynamodb").describe_table(TableName=d.names["table"])["Table"]["TableArn"]
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": STREAM_ACTIONS, "Resource": f"{table_arn}/stream/*"}],
    }
    iam.put_role_policy(
        RoleName=d.names["role"], PolicyName="read-stream", PolicyDocument=json.dumps(document)
    )
    delete_alarms("read_alarm", "write_alarm")(d)
    put_alarm(d, f"{d.student_id}-read-user-errors", "UserErrors", [])
    put_alarm(d, f"{d.student_id}_write_user_errors", "UserErrors", [])


def managed_policy_and_renamed_alarms(d: Deployment) -> None:
    """A customer-managed policy with wildcards; alarms named without the student id but carrying the
    table dimension, written as GreaterThanOrEqualToThreshold N+1."""
    iam = d.client("iam")
    iam.detach_role_policy(RoleName=d.names["role"], PolicyArn=STREAM_POLICY_ARN)
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "dynamodb:*",
                "Resource": f"arn:aws:dynamodb:*:*:table/{d.names['table']}/stream/*",
            }
        ],
    }
    policy = iam.create_policy(PolicyName=f"streams-{d.student_id}", PolicyDocument=json.dumps(document))
    iam.attach_role_policy(RoleName=d.names["role"], PolicyArn=policy["Policy"]["Arn"])
    delete_alarms("read_alarm", "write_alarm", "gsi_alarm")(d)
    table = [{"Name": "TableName", "Value": d.names["table"]}]
    index = [*table, {"Name": "GlobalSecondaryIndexName", "Value": "StatusDateIndex"}]
    suffix = uuid.uuid4().hex[:8]
    at_least = {"ComparisonOperator": "GreaterThanOrEqualToThreshold"}
    put_alarm(d, f"HighReadThrottling-{suffix}", "ReadThrottleEvents", table, Threshold=6, **at_least)
    put_alarm(d, f"HighWriteThrottling-{suffix}", "WriteThrottleEvents", table, Threshold=6, **at_least)
    put_alarm(d, f"StatusIndexThrottling-{suffix}", "ReadThrottleEvents", index, Threshold=11, **at_least)


def set_expiry(value: dict[str, str] | None) -> Callable[[Deployment], None]:
    """CUST001/ORD0001's expiry_date set to value (typed), or removed (None): the only item with one."""

    def mutate(d: Deployment) -> None:
        key = {"customer_id": {"S": "CUST001"}, "order_id": {"S": "ORD0001"}}
        ddb, table = d.client("dynamodb"), d.names["table"]
        if value is None:
            ddb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE expiry_date")
        else:
            ddb.update_item(TableName=table, Key=key, UpdateExpression="SET expiry_date = :e",
                            ExpressionAttributeValues={":e": value})  # fmt: skip

    return mutate


EXPIRY = (10, "future expiry_date")
CASES: dict[str, Mutation] = {
    **MUTATIONS,
    # expiry values TTL cannot use
    "expiry-in-milliseconds": (
        set_expiry({"N": str(expiry_timestamp() * 1000)}),
        (10,),
        {EXPIRY: "is in milliseconds (or finer), not epoch seconds"},
    ),
    "expiry-iso-string": (
        set_expiry({"S": "2031-01-01T00:00:00"}),
        (10,),
        {EXPIRY: "expiry_date is a string ('2031-01-01T00:00:00')"},
    ),
    "expiry-in-the-past": (
        set_expiry({"N": str(int(time.time()) - 3600)}),
        (10,),
        {EXPIRY: "is in the past"},
    ),
    "expiry-absent": (set_expiry(None), (10,), {EXPIRY: "no item has expiry_date"}),
    # valid variants: nothing fails
    "inline-policy-and-user-errors-alarms": (inline_policy_and_user_errors_alarms, (8, 11), {}),
    "managed-policy-and-renamed-alarms": (managed_policy_and_renamed_alarms, (8, 11), {}),
}


@pytest.mark.long
def test_each_mistake_fails_exactly_its_checks_and_valid_variants_pass(
    moto_endpoint: str, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    assert_each_fails_exactly(CASES, grade_mutations(CASES, moto_endpoint, tmp_path), subtests)


def test_another_students_alarms_never_count(moto_endpoint: str, tmp_path: Path) -> None:
    """A perfect deployment for ID + "x" gives ID nothing (their own alarms deleted)."""
    deployment = fresh(moto_endpoint)
    delete_alarms("read_alarm", "write_alarm", "gsi_alarm")(deployment)
    harness.deploy_reference(moto_endpoint, deployment.student_id + "x")
    run = grade(moto_endpoint, deployment.student_id, tmp_path, 11)
    checks = run.task(11)["checks"]
    assert len(checks) == 6 and all(c["status"] == "failed" for c in checks), run.task(11)
    assert {c["message"] for c in checks} == {checks[0]["message"]}
    assert "you have no CloudWatch alarm" in checks[0]["message"]
    assert (
        "named for you" not in checks[0]["message"]
        and deployment.student_id + "x" not in checks[0]["message"]
    )


def test_nothing_deployed_fails_every_check_naming_the_prerequisite(
    moto_endpoint: str, tmp_path: Path
) -> None:
    """No table, function or alarm: every check fails (never errors) with one message per prerequisite."""
    tasks = tuple(MODULES)
    run = grade(moto_endpoint, harness.new_student_id("none"), tmp_path, *tasks)
    checks = verdicts(run, tasks)
    assert {c["status"] for c in checks.values()} == {"failed"}, run.output[-3000:]
    for task in (1, 2, 3, 4, 7, 10):
        messages = {c["message"] for (t, _), c in checks.items() if t == task}
        assert len(messages) == 1 and "does not exist" in messages.pop(), task
    task8 = {c["message"] for (t, _), c in checks.items() if t == 8}
    assert len(task8) == 1 and "Lambda function process-orders-stream-none" in task8.pop()
    assert all("no " in c["message"] for (t, _), c in checks.items() if t == 11)
    assert "Task 1" in run.check(2, "GSI key")["message"]


def test_the_reference_passes_every_live_check(reference_run: harness.GraderRun) -> None:
    for task in (2, 3, 4, 7, 10, 11):
        graded = reference_run.task(task)
        assert (graded["status"], graded["score"]) == ("passed", TASKS_BY_NUMBER[task].points), graded
    deployment = [c for c in reference_run.task(8)["checks"] if c["name"] in TASK8_DEPLOYMENT_CHECKS]
    assert len(deployment) == 6 and {c["status"] for c in deployment} == {"passed"}, reference_run.task(8)
    assert sum(c["max_points"] for c in deployment) == 6

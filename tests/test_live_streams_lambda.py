"""Tasks 7 and 8 (deployment) both ways on moto: each single mistake fails exactly its checks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.aws.views import FunctionView, MappingView, TableView
from grader.failures import RequirementFailed
from solution.deploy import STREAM_POLICY_ARN, Deployment
from tests import aws_answers
from tests.mutations import (
    TASK8_DEPLOYMENT_CHECKS,
    Mutation,
    Spec,
    assert_each_fails_exactly,
    grade_mutations,
    recreate_table,
)
from tests_assessment import test_task07_streams as task7
from tests_assessment import test_task08_lambda as task8


def stream_spec(edit: Callable[[Spec], None]) -> Callable[[Deployment], None]:
    return lambda d: recreate_table(d, edit)


def streams_off(d: Deployment) -> None:
    d.client("dynamodb").update_table(
        TableName=d.names["table"], StreamSpecification={"StreamEnabled": False}
    )


def configure_function(**settings: str) -> Callable[[Deployment], None]:
    return lambda d: d.client("lambda").update_function_configuration(
        FunctionName=d.names["function"], **settings
    )


def stream_arn(d: Deployment) -> str:
    return d.client("dynamodb").describe_table(TableName=d.names["table"])["Table"]["LatestStreamArn"]


def mapping_uuid(d: Deployment) -> str:
    (mapping,) = d.client("lambda").list_event_source_mappings(EventSourceArn=stream_arn(d))[
        "EventSourceMappings"
    ]
    return mapping["UUID"]


def update_mapping(**settings: Any) -> Callable[[Deployment], None]:
    return lambda d: d.client("lambda").update_event_source_mapping(UUID=mapping_uuid(d), **settings)


def delete_mapping(d: Deployment) -> None:
    d.client("lambda").delete_event_source_mapping(UUID=mapping_uuid(d))


def remap_from_trim_horizon(d: Deployment) -> None:
    arn = stream_arn(d)
    delete_mapping(d)
    d.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=d.names["function"], BatchSize=10, StartingPosition="TRIM_HORIZON"
    )


def detach_managed_policy(d: Deployment) -> None:
    d.client("iam").detach_role_policy(RoleName=d.names["role"], PolicyArn=STREAM_POLICY_ARN)


def table_arn_policy(d: Deployment) -> None:
    """The common slip: stream actions granted on the table's ARN, which does not cover its streams."""
    detach_managed_policy(d)
    table_arn = d.client("dynamodb").describe_table(TableName=d.names["table"])["Table"]["TableArn"]
    statement = {
        "Effect": "Allow",
        "Action": [
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
        "Resource": table_arn,
    }
    d.client("iam").put_role_policy(
        RoleName=d.names["role"],
        PolicyName="streams",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )


def trust_ec2(d: Deployment) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    d.client("iam").update_assume_role_policy(RoleName=d.names["role"], PolicyDocument=json.dumps(trust))


def delete_role(d: Deployment) -> None:
    detach_managed_policy(d)
    d.client("iam").delete_role(RoleName=d.names["role"])


def delete_function(d: Deployment) -> None:
    d.client("lambda").delete_function(FunctionName=d.names["function"])


STREAM_CHECKS = {"enabled on the table", "view type", "LatestStreamArn", "stream is ENABLED"}
MAPPING_CHECKS = {"Enabled event source mapping", "batch size", "starting position"}
MUTATIONS: dict[str, Mutation] = {
    # id: (mutation, tasks graded, {(task, part of the failing check's name): phrase of its message})
    "stream-new-image": (
        stream_spec(lambda spec: spec["StreamSpecification"].update(StreamViewType="NEW_IMAGE")),
        (7,),
        {(7, "view type"): "the stream's view type is NEW_IMAGE"},
    ),
    "streams-turned-off": (
        streams_off,
        (7,),
        {(7, name): "has DynamoDB Streams turned off" for name in STREAM_CHECKS - {"LatestStreamArn"}},
    ),
    "never-streamed": (  # task 8 loses its mapping checks, never the role's (judged on the table's streams)
        stream_spec(lambda spec: spec.pop("StreamSpecification")),
        (7, 8),
        {
            **{
                (7, name): "turned off" if name != "LatestStreamArn" else "LatestStreamArn=None"
                for name in STREAM_CHECKS
            },
            **{
                (8, name): "has DynamoDB Streams turned off; expected a stream on the table"
                for name in MAPPING_CHECKS
            },
        },
    ),
    "no-function": (delete_function, (8,), {(8, name): "does not exist" for name in TASK8_DEPLOYMENT_CHECKS}),
    "runtime-3.9": (configure_function(Runtime="python3.9"), (8,), {(8, "runtime"): "runs python3.9"}),
    "handler-without-function": (
        configure_function(Handler="lambda_function"),
        (8,),
        {(8, "handler"): "the function's handler is 'lambda_function'"},
    ),
    "handler-with-py": (
        configure_function(Handler="lambda_function.py.lambda_handler"),
        (8,),
        {(8, "handler"): "'lambda_function.py.lambda_handler'"},
    ),
    "role-trusts-ec2": (trust_ec2, (8,), {(8, "trusts lambda"): "ec2.amazonaws.com"}),
    "role-deleted": (
        delete_role,
        (8,),
        {(8, "trusts lambda"): "does not exist", (8, "can read"): "does not exist"},
    ),
    "no-stream-policy": (
        detach_managed_policy,
        (8,),
        {(8, "can read"): "(policies: none) is not allowed dynamodb:DescribeStream, dynamodb:GetRecords"},
    ),
    "stream-actions-on-the-table-arn": (
        table_arn_policy,
        (8,),
        {(8, "can read"): "(policies: streams) is not allowed dynamodb:DescribeStream"},
    ),
    "no-mapping": (
        delete_mapping,
        (8,),
        {(8, name): "no event source mapping feeds the stream" for name in MAPPING_CHECKS},
    ),
    "mapping-disabled": (update_mapping(Enabled=False), (8,), {(8, "Enabled event source"): "is Disabled"}),
    "batch-size-100": (update_mapping(BatchSize=100), (8,), {(8, "batch size"): "batch size is 100"}),
    "trim-horizon": (remap_from_trim_horizon, (8,), {(8, "starting position"): "starts at TRIM_HORIZON"}),
    "mapping-to-an-old-stream": (
        lambda d: recreate_table(d),
        (8,),
        {(8, name): "an old stream of orders-" for name in MAPPING_CHECKS},
    ),
}


@pytest.mark.long
def test_each_mistake_fails_exactly_its_checks(
    moto_endpoint: str, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    assert_each_fails_exactly(MUTATIONS, grade_mutations(MUTATIONS, moto_endpoint, tmp_path), subtests)


TABLE = TableView.from_aws(
    {
        "TableName": "orders-alice",
        "TableArn": "arn:aws:dynamodb:us-east-1:1:table/orders-alice",
        "TableStatus": "ACTIVE",
        "KeySchema": [],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "LatestStreamArn": "arn:aws:dynamodb:us-east-1:1:table/orders-alice/stream/2026-01-01T00:00:00.000",
    }
)


@pytest.mark.parametrize(
    "status, passes", [("ENABLED", True), ("ENABLING", True), ("DISABLING", False), ("DISABLED", False)]
)
def test_stream_status_check(status: str, passes: bool) -> None:
    student = aws_answers.resources(
        describe_stream=aws_answers.describe_stream(status)
    )  # moto shows no DISABLED
    if passes:
        task7.test_stream_status_enabled(TABLE, student)
    else:
        with pytest.raises(
            RequirementFailed,
            match=re.escape(f"stream 2026-01-01T00:00:00.000 is {status}; expected ENABLED"),
        ):
            task7.test_stream_status_enabled(TABLE, student)


@pytest.mark.parametrize("state, passes", [("Enabled", True), ("Enabling", True), ("Disabling", False)])
def test_mapping_state_check(state: str, passes: bool) -> None:
    mapping = MappingView.from_aws({"UUID": "u", "State": state})
    if passes:
        task8.test_mapping_from_current_stream(mapping)
    else:
        with pytest.raises(
            RequirementFailed, match=f"the mapping from the stream is {state}; expected Enabled"
        ):
            task8.test_mapping_from_current_stream(mapping)


@pytest.mark.parametrize(
    "handler, passes",
    [
        ("lambda_function.lambda_handler", True),
        ("src/app.handler", True),
        ("pkg.module.main", True),
        ("lambda_handler", False),
        ("lambda_function.py.lambda_handler", False),
        ("lambda_function:lambda_handler", False),
    ],
)
def test_handler_forms(handler: str, passes: bool) -> None:
    configuration = FunctionView.from_aws(
        {
            "FunctionName": "f",
            "FunctionArn": "arn:aws:lambda:us-east-1:1:function:f",
            "Runtime": task8.RUNTIME,
            "Handler": handler,
            "Role": "arn:aws:iam::1:role/r",
        }
    )
    if passes:
        task8.test_function_runtime(configuration)
    else:
        with pytest.raises(RequirementFailed, match=re.escape("<module>.<function>")):
            task8.test_function_runtime(configuration)

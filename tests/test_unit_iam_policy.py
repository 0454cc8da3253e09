"""checks.iam_policy without AWS: stream read access and Lambda trust, every way a policy can say it."""

from __future__ import annotations

from typing import Any

import pytest

from grader.checks.iam_policy import (
    STREAM_READ_ACTIONS,
    allows,
    missing_actions,
    trusts_service,
    wildcard_match,
)

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-alice"
STREAM = f"{TABLE}/stream/2026-11-25T09:22:41.178"
MANAGED = {  # the statement of AWSLambdaDynamoDBExecutionRole
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [*STREAM_READ_ACTIONS, "logs:CreateLogGroup", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}],
    }


def deny(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Statement": {"Effect": "Deny", "Action": action, "Resource": resource, **extra}}


@pytest.mark.parametrize(
    "documents",
    [
        [MANAGED],
        [allow(list(STREAM_READ_ACTIONS), f"{TABLE}/stream/*")],
        [allow("dynamodb:*", "*")],
        [allow("*", "*")],
        [allow(["dynamodb:Get*", "dynamodb:DescribeStream", "dynamodb:ListStreams"], [STREAM])],
        [allow(["DynamoDB:getrecords", "dynamodb:GETSHARDITERATOR", "dynamodb:*Stream*"], STREAM)],
        [allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/orders-alice/stream/*")],
        [allow("dynamodb:*", "arn:aws:dynamodb:us-east-1:123456789012:table/orders-alic?/stream/*")],
        [allow(list(STREAM_READ_ACTIONS[:2]), "*"), allow(list(STREAM_READ_ACTIONS[2:]), "*")],
        [{"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}],
        [{"Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "NotResource": f"{TABLE}/index/*"}]}],
        [allow("dynamodb:*", "*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})],
        [MANAGED, deny("dynamodb:GetRecords", "*", Condition={"Bool": {"aws:SecureTransport": "false"}})],
    ],
    ids=lambda d: str(d)[:60],
)
def test_policies_that_grant_stream_reads(documents: list[dict[str, Any]]) -> None:
    assert missing_actions(documents, STREAM_READ_ACTIONS, STREAM) == []


@pytest.mark.parametrize(
    "documents, missing",
    [
        ([], list(STREAM_READ_ACTIONS)),
        ([allow(list(STREAM_READ_ACTIONS), TABLE)], list(STREAM_READ_ACTIONS)),  # the table, not its stream
        (
            [allow("dynamodb:*", "arn:aws:dynamodb:us-east-1:123456789012:table/orders-bob/stream/*")],
            list(STREAM_READ_ACTIONS),
        ),
        ([allow(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"], "*")], list(STREAM_READ_ACTIONS)),
        ([allow("dynamodb:Get*", "*")], ["dynamodb:DescribeStream", "dynamodb:ListStreams"]),
        ([MANAGED, deny("dynamodb:GetRecords", "*")], ["dynamodb:GetRecords"]),
        (
            [{"Statement": [{"Effect": "Allow", "NotAction": "dynamodb:*", "Resource": "*"}]}],
            list(STREAM_READ_ACTIONS),
        ),
        (
            [{"Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "*"}]}],
            list(STREAM_READ_ACTIONS),
        ),
    ],
)
def test_policies_that_fall_short(documents: list[dict[str, Any]], missing: list[str]) -> None:
    assert missing_actions(documents, STREAM_READ_ACTIONS, STREAM) == missing


def test_resources_match_case_sensitively_actions_do_not() -> None:
    assert allows([allow("DYNAMODB:GetRecords", STREAM)], "dynamodb:GetRecords", STREAM)
    assert not allows([allow("dynamodb:GetRecords", STREAM.upper())], "dynamodb:GetRecords", STREAM)
    assert wildcard_match("a*c?", "abbbcd") and not wildcard_match("a*c?", "abbbc")
    assert wildcard_match("table/[x]*", "table/[x]y")  # brackets are plain characters in IAM


LAMBDA = "lambda.amazonaws.com"
ASSUME = {"Effect": "Allow", "Action": "sts:AssumeRole"}


@pytest.mark.parametrize(
    "statement, trusted",
    [
        ({**ASSUME, "Principal": {"Service": LAMBDA}}, True),
        ({**ASSUME, "Principal": {"Service": ["edgelambda.amazonaws.com", LAMBDA]}}, True),
        ({**ASSUME, "Action": ["sts:AssumeRole", "sts:TagSession"], "Principal": {"Service": LAMBDA}}, True),
        ({**ASSUME, "Action": "sts:*", "Principal": {"Service": LAMBDA}}, True),
        ({**ASSUME, "Principal": "*"}, True),
        ({**ASSUME, "Principal": {"Service": "ec2.amazonaws.com"}}, False),
        ({**ASSUME, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}, False),
        ({**ASSUME, "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Service": LAMBDA}}, False),
        ({**ASSUME, "Effect": "Deny", "Principal": {"Service": LAMBDA}}, False),
    ],
)
def test_trust_policy(statement: dict[str, Any], trusted: bool) -> None:
    assert trusts_service({"Version": "2012-10-17", "Statement": [statement]}, LAMBDA) is trusted


def test_a_deny_overrides_the_trust() -> None:
    statements = [
        {**ASSUME, "Principal": {"Service": LAMBDA}},
        {**ASSUME, "Effect": "Deny", "Principal": "*"},
    ]
    assert not trusts_service({"Statement": statements}, LAMBDA)

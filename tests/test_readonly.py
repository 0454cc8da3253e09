"""The read-only guard: reads go through, anything else is refused before it is sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import function_name, table_name
from grader.aws.session import GRADER_ACTIONS, Account, current_check, iam_action, make_session
from grader.failures import GraderError, ReadOnlyViolation, RequirementFailed, describe_grader_error
from grader.settings import Settings
from tests import harness
from tests.faultproxy import FaultProxy, fault_proxy

TASK1 = "tests_assessment/test_task01_table.py"
RUNNING = "tests_assessment/test_task07_streams.py::test_stream_enabled (call)"

REFUSED = [  # writes, and reads the grader never needs (credentials, code, data it does not grade)
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:TransactWriteItems",
    "dynamodb:ExecuteStatement",
    "dynamodb:CreateTable",
    "dynamodb:DeleteTable",
    "dynamodb:UpdateTimeToLive",
    "dynamodb:TagResource",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "lambda:Invoke",
    "lambda:GetFunction",
    "lambda:UpdateFunctionCode",
    "iam:AttachRolePolicy",
    "iam:ListRoles",
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:DeleteAlarms",
    "sns:Publish",
    "sts:AssumeRole",
    "sts:GetSessionToken",
    "sts:GetFederationToken",
    "s3:GetObject",
    "secretsmanager:GetSecretValue",
]


@pytest.mark.parametrize("action", sorted(GRADER_ACTIONS))
def test_the_grader_needs_only_reads(action: str) -> None:
    assert harness.is_read_action(action)


@pytest.mark.parametrize("action", REFUSED)
def test_anything_else_is_not_allowed(action: str) -> None:
    assert action not in GRADER_ACTIONS


def test_the_read_classifier_can_say_no() -> None:
    """The classifier above must refuse writes, or the first test proves nothing."""
    assert not harness.is_read_action("dynamodb:PutItem") and not harness.is_read_action("sts:AssumeRole")
    assert harness.is_read_action("dynamodb:Query")


@pytest.mark.parametrize(
    ("signing_name", "operation", "action"),
    [
        ("dynamodb", "DescribeTable", "dynamodb:DescribeTable"),
        ("dynamodb", "GetRecords", "dynamodb:GetRecords"),  # DynamoDB Streams signs as dynamodb
        ("monitoring", "DescribeAlarms", "cloudwatch:DescribeAlarms"),
        ("lambda", "GetFunction", "lambda:GetFunction"),
    ],
)
def test_iam_action_names(signing_name: str, operation: str, action: str) -> None:
    assert iam_action(signing_name, operation) == action


def test_current_check_is_the_running_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_CURRENT_TEST", RUNNING)
    assert current_check() == "tests_assessment/test_task07_streams.py::test_stream_enabled"
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert "outside" in current_check()


def test_a_refused_write_is_a_grading_error_not_the_students_failure() -> None:
    refusal = ReadOnlyViolation("the grader refused to call dynamodb:PutItem from x")
    assert isinstance(refusal, GraderError) and not isinstance(refusal, RequirementFailed)
    assert describe_grader_error(refusal) == str(refusal)


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str) -> str:
    student_id = harness.new_student_id("ro")
    harness.deploy_reference(moto_endpoint, student_id)
    return student_id


@pytest.fixture
def proxy(moto_endpoint: str) -> Iterator[FaultProxy]:
    with fault_proxy(moto_endpoint) as running:
        yield running


def _writes(student_id: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """(service, method, arguments, IAM action) of calls a careless check might attempt: writes, and
    reads that hand out credentials or code."""
    table = table_name(student_id)
    return [
        (
            "dynamodb",
            "put_item",
            {"TableName": table, "Item": {"customer_id": {"S": "X"}}},
            "dynamodb:PutItem",
        ),
        ("dynamodb", "delete_table", {"TableName": table}, "dynamodb:DeleteTable"),
        ("lambda", "invoke", {"FunctionName": f"process-orders-stream-{student_id}"}, "lambda:Invoke"),
        ("cloudwatch", "delete_alarms", {"AlarmNames": ["x"]}, "cloudwatch:DeleteAlarms"),
        (
            "iam",
            "attach_role_policy",
            {"RoleName": "r", "PolicyArn": "arn:aws:iam::aws:policy/x"},
            "iam:AttachRolePolicy",
        ),
        (
            "sns",
            "publish",
            {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"},
            "sns:Publish",
        ),
        ("sts", "get_session_token", {}, "sts:GetSessionToken"),
        ("lambda", "get_function", {"FunctionName": function_name(student_id)}, "lambda:GetFunction"),
    ]


WRITE_IDS = ["put", "drop", "invoke", "alarm", "iam", "sns", "session-token", "function-code"]


@pytest.mark.parametrize("index", range(len(WRITE_IDS)), ids=lambda i: WRITE_IDS[i])
def test_write_is_refused_before_it_is_sent_naming_operation_and_check(
    index: int, deployed: str, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, method, arguments, action = _writes(deployed)[index]
    monkeypatch.setenv("PYTEST_CURRENT_TEST", RUNNING)
    account = Account(harness.emulator_session(), proxy.endpoint_url)
    # Both the checks' cached clients and any other client of the grading session are guarded.
    for client in (account.client(service), account.session.client(service, endpoint_url=proxy.endpoint_url)):
        with pytest.raises(ReadOnlyViolation) as refused:
            getattr(client, method)(**arguments)
        assert action in str(refused.value)
        assert "tests_assessment/test_task07_streams.py::test_stream_enabled" in str(refused.value)
    assert proxy.calls == [], "a refused call must never reach the endpoint"


def test_reads_go_through_the_guard(deployed: str, proxy: FaultProxy) -> None:
    account = Account(harness.emulator_session(), proxy.endpoint_url)
    table = account.client("dynamodb").describe_table(TableName=table_name(deployed))["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert account.caller_identity()["Account"]
    assert proxy.actions() == {"dynamodb:DescribeTable", "sts:GetCallerIdentity"}


def test_guard_stays_on_the_grading_session(deployed: str, moto_endpoint: str) -> None:
    """The reference deployment (the only writer) uses its own, unguarded session."""
    Account(harness.emulator_session(), moto_endpoint)
    other = harness.emulator_session().client("dynamodb", endpoint_url=moto_endpoint)
    other.tag_resource(
        ResourceArn=other.describe_table(TableName=table_name(deployed))["Table"]["TableArn"],
        Tags=[{"Key": "Environment", "Value": "Production"}],
    )


def test_a_check_attempting_a_write_errors_and_the_account_is_untouched(
    deployed: str, proxy: FaultProxy, tmp_path: Path
) -> None:
    """Through the real entry point: the write is refused, only its check errors, the table stays."""
    env = harness.clean_env(SELFTEST_ROGUE_CHECK="test_on_demand_billing")
    run = harness.run_grader(
        tmp_path,
        f"--student-id={deployed}",
        "--target=localstack",
        f"--endpoint-url={proxy.endpoint_url}",
        "-p",
        "tests.selftest_plugin",
        TASK1,
        env=env,
    )
    check = run.check(1, "billing mode")
    assert check["status"] == "error", run.output
    assert "dynamodb:DeleteTable" in check["message"]
    assert f"{TASK1}::test_on_demand_billing" in check["message"]
    assert run.not_passed() == {(1, check["name"]): "error"}
    assert run.exit_code == 6
    assert "dynamodb:DeleteTable" not in proxy.actions()
    assert proxy.actions() <= GRADER_ACTIONS


ROLE_PROFILES = """[profile source]
aws_access_key_id = AKIAGRADERSOURCE01
aws_secret_access_key = source-secret
[profile grader-role]
role_arn = arn:aws:iam::123456789012:role/dynamodb-medium-grader
source_profile = source
external_id = cs-aws-2026
region = us-east-1
"""
"""The usual way to grade through a role: a profile whose credentials botocore gets by sts:AssumeRole."""


def test_a_profile_that_assumes_a_role_grades_through_it(
    deployed: str, proxy: FaultProxy, tmp_path: Path
) -> None:
    """botocore's own sts:AssumeRole, made while it resolves the profile's credentials, goes through;
    every call of the checks is still one of the grader's reads."""
    config = tmp_path / "aws-config"
    config.write_text(ROLE_PROFILES)
    env = harness.clean_env(AWS_CONFIG_FILE=str(config), AWS_ENDPOINT_URL=proxy.endpoint_url)
    run = harness.run_grader(
        tmp_path, f"--student-id={deployed}", "--target=aws", "--profile=grader-role", TASK1, env=env
    )
    assert run.task(1)["status"] == "passed", run.output  # (the other tasks were not selected)
    assert "sts:AssumeRole" in proxy.actions() and proxy.actions() <= GRADER_ACTIONS | {"sts:AssumeRole"}


def test_the_checks_clients_of_a_role_profile_stay_read_only(
    deployed: str, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "aws-config"
    config.write_text(ROLE_PROFILES)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
    settings = Settings(
        student_id=deployed, target="aws", endpoint_url=None, region=None, profile="grader-role",
        submission_dir=tmp_path, deploy_solution=False, real_aws_ok=False, grade_json=tmp_path / "g.json",
        exit_zero=False,
    )  # fmt: skip
    account = Account(make_session(settings, None), None)
    assert account.caller_identity()["Arn"].startswith(
        "arn:aws:sts::123456789012:assumed-role/dynamodb-medium-grader/"
    )
    role = "arn:aws:iam::123456789012:role/dynamodb-medium-grader"
    for client in (account.client("sts"), account.session.client("sts")):
        with pytest.raises(ReadOnlyViolation, match="sts:AssumeRole"):
            client.assume_role(RoleArn=role, RoleSessionName="check")
    assert [call.action for call in proxy.calls] == ["sts:AssumeRole", "sts:GetCallerIdentity"]

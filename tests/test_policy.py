"""policy/grader-readonly.json grants exactly the reads the grader makes, and nothing that writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from grader.aws.session import GRADER_ACTIONS, iam_action
from grader.checks.iam_policy import allows, statements, wildcard_match
from grader.failures import POLICY_FILE
from tests import harness
from tests.faultproxy import fault_proxy

pytestmark = pytest.mark.timeout(600)  # the recording fixture grades twice, on a loaded 2-core machine

POLICY_PATH = harness.PROJECT_ROOT / "policy" / "grader-readonly.json"
SERVICES = ("dynamodb", "dynamodbstreams", "lambda", "iam", "cloudwatch", "sns", "sts")
NEEDS_NO_PERMISSION = {"sts:GetCallerIdentity"}
"""AWS answers GetCallerIdentity whatever the policies say."""
MUTATING_IAM_ONLY_NAMES = (
    "lambda:InvokeFunction",
    "iam:PassRole",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
    "dynamodb:ConditionCheckItem",
)
"""Mutating permissions whose names are not the name of any API operation."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def policy() -> dict[str, Any]:
    return json.loads(POLICY_PATH.read_text())


def grants(policy: dict[str, Any], action: str) -> bool:
    """Whether the policy allows the action on some resource (Allow matches, no Deny does)."""
    effects = {
        statement["Effect"]
        for statement in statements(policy)
        if any(wildcard_match(pattern, action, ignore_case=True) for pattern in _as_list(statement["Action"]))
    }
    return effects == {"Allow"}


def _all_operations() -> dict[str, bool]:
    """IAM action -> is it a read, for every operation of the services the grader talks to."""
    session = botocore.session.get_session()
    operations: dict[str, bool] = {}
    for service in SERVICES:
        model = session.get_service_model(service)
        for name in model.operation_names:
            action = iam_action(model.signing_name, name)
            operations[action] = harness.is_read_action(action)
    return operations


@pytest.fixture(scope="module")
def recorded(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every action the grader performs grading the reference, and a variant with an inline role
    policy (which the grader reads with calls the managed policy never needs)."""
    solution = f"--submission-dir={harness.PROJECT_ROOT / 'solution'}"
    reference, variant = harness.new_student_id("pol"), harness.new_student_id("pol")
    harness.deploy_reference(moto_endpoint, reference)
    deployment = harness.deploy_reference(moto_endpoint, variant)
    deployment.client("iam").put_role_policy(
        RoleName=deployment.names["role"],
        PolicyName="stream-read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetRecords", "Resource": "*"}],
            }
        ),
    )
    with fault_proxy(moto_endpoint) as proxy:
        run = harness.grade_on(proxy.endpoint_url, reference, tmp_path_factory.mktemp("ref"), solution)
        assert run.grade is not None, run.output
        harness.grade_on(
            proxy.endpoint_url,
            variant,
            tmp_path_factory.mktemp("variant"),
            solution,
            "tests_assessment/test_task08_lambda.py",
        )
    return proxy.actions()


def test_the_grader_sends_only_reads(recorded: set[str]) -> None:
    assert "dynamodb:DescribeTable" in recorded and "iam:GetRolePolicy" in recorded, recorded
    assert recorded <= GRADER_ACTIONS, recorded - GRADER_ACTIONS


def test_policy_allows_every_action_the_grader_performs(policy: dict[str, Any], recorded: set[str]) -> None:
    missing = sorted(a for a in recorded - NEEDS_NO_PERMISSION if not grants(policy, a))
    assert missing == [], f"add these actions to {POLICY_PATH.name}: {missing}"


def test_policy_grants_nothing_the_grader_does_not_use(policy: dict[str, Any], recorded: set[str]) -> None:
    patterns = [p for s in statements(policy) for p in _as_list(s["Action"])]
    unused = [p for p in patterns if not any(wildcard_match(p, a, ignore_case=True) for a in recorded)]
    assert unused == [], f"the grader never performs {unused}: least privilege means dropping them"


def test_policy_allows_nothing_mutating(policy: dict[str, Any]) -> None:
    operations = _all_operations()
    assert len(operations) > 300, "the service models did not load"
    writes = [action for action, read in operations.items() if not read] + list(MUTATING_IAM_ONLY_NAMES)
    assert [action for action in writes if grants(policy, action)] == []


def test_policy_is_plain_allow_statements_with_scoped_actions(policy: dict[str, Any]) -> None:
    for statement in statements(policy):
        assert statement["Effect"] == "Allow" and "NotAction" not in statement, statement
        assert "NotResource" not in statement and "Resource" in statement, statement
        assert all(":" in a and "*" not in a for a in _as_list(statement["Action"])), statement


def test_policy_reaches_the_reference_resources_and_not_others(
    moto_endpoint: str, policy: dict[str, Any]
) -> None:
    """Resource scoping allows the calls on a real deployment's ARNs, and not on other tables."""
    deployment = harness.deploy_reference(moto_endpoint, harness.new_student_id("arn"))
    table = deployment.client("dynamodb").describe_table(TableName=deployment.names["table"])["Table"]
    function = deployment.client("lambda").get_function(FunctionName=deployment.names["function"])
    role = deployment.client("iam").get_role(RoleName=deployment.names["role"])["Role"]
    attached = deployment.client("iam").list_attached_role_policies(RoleName=deployment.names["role"])
    alarms = deployment.client("cloudwatch").describe_alarms()["MetricAlarms"]
    topic = next(a for alarm in alarms for a in alarm["AlarmActions"] if deployment.student_id in a)
    calls = {
        "dynamodb:DescribeTable": table["TableArn"],
        "dynamodb:Query": f"{table['TableArn']}/index/StatusDateIndex",
        "dynamodb:DescribeStream": table["LatestStreamArn"],
        "lambda:GetFunctionConfiguration": function["Configuration"]["FunctionArn"],
        "iam:GetRole": role["Arn"],
        "iam:GetPolicyVersion": attached["AttachedPolicies"][0]["PolicyArn"],
        "cloudwatch:DescribeAlarms": alarms[0]["AlarmArn"],
        "sns:GetTopicAttributes": topic,
    }
    for action, resource in calls.items():
        assert allows([policy], action, resource), (action, resource)
    other_table = table["TableArn"].replace(f"table/{deployment.names['table']}", "table/payroll")
    assert not allows([policy], "dynamodb:Scan", other_table)
    billing = "arn:aws:lambda:us-east-1:1:function:billing"
    assert not allows([policy], "lambda:GetFunctionConfiguration", billing)
    assert not grants(policy, "lambda:GetFunction"), "GetFunction hands out a download URL of the code"


def test_the_evaluator_honours_wildcards_and_deny() -> None:
    """The helper above must be able to say no, or the tests using it prove nothing."""
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:Describe*", "sns:Get?opicAttributes"], "Resource": "*"},
            {"Effect": "Deny", "Action": "dynamodb:DescribeTimeToLive", "Resource": "*"},
        ]
    }
    assert grants(policy, "dynamodb:DescribeTable") and grants(policy, "DYNAMODB:describestream")
    assert grants(policy, "sns:GetTopicAttributes")
    assert not grants(policy, "dynamodb:DescribeTimeToLive") and not grants(policy, "dynamodb:PutItem")
    assert grants({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "iam:PassRole")


def test_policy_file_is_valid_iam_json(policy: dict[str, Any]) -> None:
    assert policy["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in statements(policy)]
    assert len(sids) == len(set(sids)) and all(sid.isalnum() for sid in sids)


def test_policy_path_is_the_one_error_messages_name() -> None:
    assert Path(harness.PROJECT_ROOT, POLICY_FILE) == POLICY_PATH


ASSUME_POLICY_PATH = harness.PROJECT_ROOT / "policy" / "grader-assume-roles.json"


def test_the_graders_own_principal_may_only_assume_the_students_roles() -> None:
    """A class in many accounts: the grader's own credentials only assume the roles the students' template
    makes (tests/test_class_accounts.py shows sts:AssumeRole is the only call made with them)."""
    assume = json.loads(ASSUME_POLICY_PATH.read_text())
    assert [(s["Effect"], s["Action"]) for s in statements(assume)] == [("Allow", "sts:AssumeRole")]
    assert grants(assume, "sts:AssumeRole") and not grants(assume, "sts:GetSessionToken")
    template = (harness.PROJECT_ROOT / "policy" / "student-grader-role.yaml").read_text()
    (statement,) = statements(assume)
    default_role = template.split("Default: ", 1)[1].split()[0]
    assert statement["Resource"] == f"arn:aws:iam::*:role/{default_role}"

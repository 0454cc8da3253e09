"""policy/student-grader-role.yaml: the role a student deploys in their own account to let the grader
in. It grants exactly policy/grader-readonly.json, trusts only the instructor's account with the
student id as external id, passes cfn-lint, and deploys on moto's CloudFormation."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode import decode

from tests import harness

TEMPLATE = harness.PROJECT_ROOT / "policy" / "student-grader-role.yaml"
POLICY = harness.PROJECT_ROOT / "policy" / "grader-readonly.json"
INSTRUCTOR = "111122223333"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    document, problems = decode(str(TEMPLATE))
    assert document is not None and not problems, problems
    return document


def test_cfn_lint_finds_nothing() -> None:
    problems = lint_file(TEMPLATE, config=ManualArgs(regions=["us-east-1"]))
    assert [str(problem) for problem in problems] == []


def test_the_role_grants_exactly_the_graders_policy(template: dict[str, Any]) -> None:
    (policy,) = template["Resources"]["GraderRole"]["Properties"]["Policies"]
    assert json.loads(json.dumps(policy["PolicyDocument"])) == json.loads(POLICY.read_text())


def test_only_the_instructors_account_with_the_student_id_may_assume_it(template: dict[str, Any]) -> None:
    (trust,) = template["Resources"]["GraderRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${InstructorAccountId}:root"}
    }
    assert (trust["Effect"], trust["Action"]) == ("Allow", "sts:AssumeRole")
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "StudentId"}}}
    assert template["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["GraderRole", "Arn"]}


def test_deployed_on_moto_the_grader_reads_through_it(moto_endpoint: str, tmp_path: Path) -> None:
    """The student's side end to end: the stack's output role_arn, with the student id as external id,
    in a profile that assumes it: the student's table is graded through the role."""
    student_id = harness.new_student_id("cfn")
    harness.deploy_reference(moto_endpoint, student_id)
    cloudformation = harness.emulator_session().client("cloudformation", endpoint_url=moto_endpoint)
    stack = f"grader-role-{student_id}"
    cloudformation.create_stack(
        StackName=stack, TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[
            {"ParameterKey": "InstructorAccountId", "ParameterValue": INSTRUCTOR},
            {"ParameterKey": "StudentId", "ParameterValue": student_id},
            {"ParameterKey": "RoleName", "ParameterValue": f"grader-{student_id}"},
        ],
    )  # fmt: skip
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in described["Outputs"]}
    assert outputs["RoleArn"].endswith(f":role/grader-{student_id}") and outputs["ExternalId"] == student_id
    iam = harness.emulator_session().client("iam", endpoint_url=moto_endpoint)
    role = iam.get_role(RoleName=f"grader-{student_id}")["Role"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{INSTRUCTOR}:root"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": student_id}}
    granted = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="dynamodb-medium-grader-readonly")
    document = granted["PolicyDocument"]  # moto's CloudFormation keeps an inline policy as Python's repr
    assert (ast.literal_eval(document) if isinstance(document, str) else document) == json.loads(
        POLICY.read_text()
    )
    config = tmp_path / "aws-config"
    config.write_text(
        "[profile instructor]\naws_access_key_id = AKIAINSTRUCTOR0001\naws_secret_access_key = secret\n"
        f"[profile student]\nrole_arn = {outputs['RoleArn']}\nsource_profile = instructor\n"
        f"external_id = {student_id}\nregion = us-east-1\n"
    )
    env = harness.clean_env(AWS_CONFIG_FILE=str(config), AWS_ENDPOINT_URL=moto_endpoint)
    run = harness.run_grader(
        tmp_path, f"--student-id={student_id}", "--target=aws", "--profile=student",
        "tests_assessment/test_task01_table.py", env=env,
    )  # fmt: skip
    assert run.task(1)["status"] == "passed", run.output

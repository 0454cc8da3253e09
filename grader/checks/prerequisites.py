"""Resources a check depends on: each returns the resource or fails the check with one message naming it.

The task modules wrap these in fixtures, so a missing index, stream, function or role fails every
dependent check with the same message (not a pile of KeyErrors).
"""

from __future__ import annotations

from grader.assessment import IndexSpec
from grader.aws import arns
from grader.aws.resources import StudentResources
from grader.aws.views import FunctionView, IndexView, RoleView, TableView
from grader.failures import RequirementFailed

INDEX_KINDS = {
    "GlobalSecondaryIndexes": (
        "GSI",
        "Add it: update_table(GlobalSecondaryIndexUpdates=[{{'Create': {{'IndexName': '{name}', ...}}}}])",
    ),
    "LocalSecondaryIndexes": (
        "LSI",
        "An LSI can only be created with the table: recreate the table with LocalSecondaryIndexes "
        "[{{'IndexName': '{name}', ...}}]",
    ),
}


def index(table: TableView, spec: IndexSpec) -> IndexView:
    """The table's GSI or LSI the assessment declares (found by its exact name)."""
    kind, name = spec.kind, spec.name
    indexes = table.indexes(kind)
    found = next((index for index in indexes if index.name == name), None)
    if found is not None:
        return found
    label, fix = INDEX_KINDS[kind]
    task = f"Task {spec.task}"
    others = [index.name for index in indexes]
    raise _missing(
        f"table {table.name} has no {label} {name} "
        f"(its {label}s: {', '.join(others) if others else 'none'})",
        f"{label} {name} ({task})",
        fix.format(name=name),
    )


def stream_arn(table: TableView) -> str:
    """The table's current stream ARN, when streams are turned on."""
    if not table.stream_enabled or not table.latest_stream_arn:
        raise _missing(
            f"table {table.name} has DynamoDB Streams turned off",
            "a stream on the table (Task 7)",
            "Turn it on: update_table(StreamSpecification={'StreamEnabled': True, "
            "'StreamViewType': 'NEW_AND_OLD_IMAGES'})",
        )
    return table.latest_stream_arn


def function(student: StudentResources) -> FunctionView:
    """The student's Lambda function configuration."""
    configuration = student.function
    if configuration is None:
        raise _missing(
            f"Lambda function {student.function_name} does not exist in region {student.account.region}",
            f"function {student.function_name} (Task 8)",
            "Create it with runtime python3.12 and your lambda_function.py",
        )
    return configuration


def role(student: StudentResources, function: FunctionView) -> RoleView:
    """The function's execution role."""
    found = student.role(arns.parse(function.role_arn).name)
    if found is None:
        raise _missing(
            f"the function's execution role {function.role_arn} does not exist",
            "an existing execution role",
            "Create the role (trusting lambda.amazonaws.com) and set it on the function",
        )
    return found


def _missing(found: str, expected: str, fix: str) -> RequirementFailed:
    return RequirementFailed(found, expected, f"{fix}; this check depends on it")

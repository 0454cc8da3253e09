"""Task 8, deployment: the function, its execution role, the event source mapping from the table's stream."""

from __future__ import annotations

import re
from typing import Any

import pytest

from grader import arns, iam_policy, prerequisites
from grader.failures import RequirementFailed, require
from grader.resources import StudentResources

pytestmark = pytest.mark.task(8)

RUNTIME = "python3.12"
BATCH_SIZE = 10
HANDLER = re.compile(r"[A-Za-z_]\w*(?:[./][A-Za-z_]\w*)*\.[A-Za-z_]\w*")
LAMBDA_SERVICE = "lambda.amazonaws.com"
MAP_STREAM = (
    "create_event_source_mapping(EventSourceArn=<the table's LatestStreamArn>, FunctionName='{}', "
    f"BatchSize={BATCH_SIZE}, StartingPosition='LATEST')"
)


@pytest.fixture
def function(student: StudentResources) -> dict[str, Any]:
    return prerequisites.function(student)


@pytest.fixture
def execution_role(student: StudentResources, function: dict[str, Any]) -> dict[str, Any]:
    return prerequisites.role(student, function)


def _no_mapping(student: StudentResources, function: dict[str, Any], stream_arn: str) -> RequirementFailed:
    """No mapping reads the current stream: say what the function's mappings read instead."""
    mappings = student.event_source_mappings(FunctionName=function["FunctionArn"])
    sources = [m["EventSourceArn"] for m in mappings]
    old = [s for s in sources if arns.parse(s).stream_table == student.table_name and s != stream_arn]
    if old:
        found = (
            f"the function's mapping reads stream {arns.parse(old[0]).stream_label}, an old stream of "
            f"{student.table_name} (the table was re-created or its stream turned off and on), not its "
            f"current stream {arns.parse(stream_arn).stream_label}"
        )
    elif sources:
        found = f"the function's event source mappings read {', '.join(sources)}, not the table's stream"
    else:
        found = f"no event source mapping feeds the stream of {student.table_name} to {student.function_name}"
    fix = "Delete the stale mapping and create one: " if old else "Create it: "
    return RequirementFailed(
        found, "a mapping from the table's current stream", fix + MAP_STREAM.format(student.function_name)
    )


@pytest.fixture
def mapping(function: dict[str, Any], table: dict[str, Any], student: StudentResources) -> dict[str, Any]:
    """The event source mapping from the table's current stream to the function (the best, if several)."""
    stream_arn = prerequisites.stream_arn(table)
    mappings = [
        m
        for m in student.event_source_mappings(EventSourceArn=stream_arn)
        if arns.parse(m.get("FunctionArn", "")).name == student.function_name
    ]
    if not mappings:
        raise _no_mapping(student, function, stream_arn)
    return min(
        mappings,
        key=lambda m: (
            m.get("State") not in ("Enabled", "Enabling"),
            m.get("BatchSize") != BATCH_SIZE,
            m.get("StartingPosition") != "LATEST",
        ),
    )


@pytest.mark.points(1)
def test_function_runtime(function: dict[str, Any]) -> None:
    """function process-orders-stream-ID exists with runtime python3.12 and a module.function handler"""
    runtime = function.get("Runtime", "none (container image)")
    require(
        runtime == RUNTIME,
        f"function {function['FunctionName']} runs {runtime}",
        RUNTIME,
        f"Change it: update_function_configuration(Runtime='{RUNTIME}')",
    )
    handler = function.get("Handler", "")
    require(
        HANDLER.fullmatch(handler) and not handler.rsplit(".", 1)[0].endswith(".py"),
        f"the function's handler is {handler!r}",
        "<module>.<function>, e.g. lambda_function.lambda_handler (no .py)",
        "Set it: update_function_configuration(Handler='lambda_function.lambda_handler')",
    )


@pytest.mark.points(1)
def test_role_trusts_lambda(execution_role: dict[str, Any]) -> None:
    """execution role trusts lambda.amazonaws.com"""
    trust = execution_role["AssumeRolePolicyDocument"]
    principals = [s.get("Principal") for s in iam_policy.statements(trust)]
    require(
        iam_policy.trusts_service(trust, LAMBDA_SERVICE),
        f"role {execution_role['RoleName']} lets {principals or 'nobody'} assume it",
        f"a trust policy allowing sts:AssumeRole to Service {LAMBDA_SERVICE}",
        "Edit the role's trust relationship: update_assume_role_policy(...) with that statement",
    )


@pytest.mark.points(1)
def test_role_can_read_stream(
    execution_role: dict[str, Any], table: dict[str, Any], student: StudentResources
) -> None:
    """execution role can read the table's stream"""
    stream_arn = table.get("LatestStreamArn") or f"{table['TableArn']}/stream/1970-01-01T00:00:00.000"
    policies = student.role_policies(execution_role["RoleName"])
    documents = [document for _, document in policies]
    missing = iam_policy.missing_actions(documents, iam_policy.STREAM_READ_ACTIONS, stream_arn)
    names = ", ".join(arns.parse(name).name or name for name, _ in policies) or "none"
    require(
        not missing,
        f"role {execution_role['RoleName']} (policies: {names}) is not allowed {', '.join(missing)} "
        f"on {arns.parse(stream_arn).resource}",
        "stream read access",
        "Attach the managed policy AWSLambdaDynamoDBExecutionRole, or allow those actions on "
        f"{table['TableArn']}/stream/*",
    )


@pytest.mark.points(1)
def test_mapping_from_current_stream(mapping: dict[str, Any]) -> None:
    """an Enabled event source mapping feeds the table's current stream to the function"""
    state = mapping.get("State", "unknown")
    require(
        state in ("Enabled", "Enabling"),
        f"the mapping from the stream is {state}",
        "Enabled",
        f"Enable it: update_event_source_mapping(UUID='{mapping['UUID']}', Enabled=True)",
    )


@pytest.mark.points(1)
def test_mapping_batch_size(mapping: dict[str, Any]) -> None:
    """the mapping's batch size is 10"""
    size = mapping.get("BatchSize")
    require(
        size == BATCH_SIZE,
        f"the mapping's batch size is {size}",
        str(BATCH_SIZE),
        f"Change it: update_event_source_mapping(UUID='{mapping['UUID']}', BatchSize={BATCH_SIZE})",
    )


@pytest.mark.points(1)
def test_mapping_starts_at_latest(mapping: dict[str, Any]) -> None:
    """the mapping's starting position is LATEST"""
    position = mapping.get("StartingPosition", "not reported")
    require(
        position == "LATEST",
        f"the mapping starts at {position}",
        "LATEST",
        "The starting position cannot change: delete the mapping and create it again with "
        "StartingPosition='LATEST'",
    )

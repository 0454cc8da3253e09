"""The floor: one student's resources read with bare boto3, the same reads the grader makes.

    .venv/bin/python -m bench.floor --endpoint-url URL --student-id ID

What grading costs at the least, with no pytest, no checks, no sandbox: the yardstick the
class benchmark (bench/class_throughput.py) prints beside the grader's own figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from typing import Any

import boto3

from tests import harness

STATUSES = ("pending", "processing", "shipped", "delivered")


def read_student(session: boto3.Session, endpoint: str, student_id: str, alarms: list[dict[str, Any]]) -> int:
    """Make the grader's reads of one student's deployment (the region's alarms are read once for the
    class, as the grader does); the number of calls."""
    client: dict[str, Any] = {}

    def c(service: str) -> Any:
        if service not in client:
            client[service] = session.client(service, endpoint_url=endpoint)
        return client[service]

    table_name, function_name = f"orders-{student_id}", f"process-orders-stream-{student_id}"
    calls = 0

    def call(service: str, operation: str, **params: Any) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        return getattr(c(service), operation)(**params)

    call("sts", "get_caller_identity")
    table = call("dynamodb", "describe_table", TableName=table_name)["Table"]
    call("dynamodb", "list_tags_of_resource", ResourceArn=table["TableArn"])
    call("dynamodb", "describe_time_to_live", TableName=table_name)
    call("dynamodb", "scan", TableName=table_name)
    for status in STATUSES:
        call("dynamodb", "query", TableName=table_name, IndexName="StatusDateIndex",
             KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
             ExpressionAttributeValues={":s": {"S": status}})  # fmt: skip
    call("dynamodb", "query", TableName=table_name, IndexName="CustomerAmountIndex",
         KeyConditionExpression="customer_id = :c", ExpressionAttributeValues={":c": {"S": "CUST001"}},
         ScanIndexForward=False)  # fmt: skip
    call("dynamodbstreams", "describe_stream", StreamArn=table["LatestStreamArn"])
    function = call("lambda", "get_function_configuration", FunctionName=function_name)
    call("lambda", "list_event_source_mappings", EventSourceArn=table["LatestStreamArn"])
    role = function["Role"].rsplit("/", 1)[1]
    call("iam", "get_role", RoleName=role)
    attached = call("iam", "list_attached_role_policies", RoleName=role)["AttachedPolicies"]
    for policy in attached:
        version = call("iam", "get_policy", PolicyArn=policy["PolicyArn"])["Policy"]["DefaultVersionId"]
        call("iam", "get_policy_version", PolicyArn=policy["PolicyArn"], VersionId=version)
    call("iam", "list_role_policies", RoleName=role)
    topic = next(a for alarm in alarms for a in alarm["AlarmActions"] if student_id in a)
    call("sns", "get_topic_attributes", TopicArn=topic)
    return calls


def timed(endpoint: str, students: list[str]) -> float:
    """Seconds the floor takes for the students, in a fresh interpreter (as the grader runs)."""
    started = time.monotonic()
    arguments = [f"--student-id={s}" for s in students]
    subprocess.run([sys.executable, "-m", "bench.floor", f"--endpoint-url={endpoint}", *arguments],
                   cwd=harness.PROJECT_ROOT, env=harness.clean_env(), check=True)  # fmt: skip
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--student-id", required=True, action="append")
    arguments = parser.parse_args()
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    cloudwatch = session.client("cloudwatch", endpoint_url=arguments.endpoint_url)
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
    alarms = [alarm for page in pages for alarm in page["MetricAlarms"]]
    for student_id in arguments.student_id:
        read_student(session, arguments.endpoint_url, student_id, alarms)


if __name__ == "__main__":
    main()

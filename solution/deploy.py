"""Deploy (idempotently) or tear down the reference solution for one student id.

python -m solution.deploy --student-id alice [--endpoint-url URL] [--region R] [--teardown]
"""

from __future__ import annotations

import argparse
import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from grader.assessment import GSI_NAME, reference_names, reference_table, seed_orders
from solution.orders import expiry_timestamp

HERE = Path(__file__).resolve().parent
STREAM_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


class Deployment:
    """The reference resources of one student in one account."""

    def __init__(self, session: boto3.Session, student_id: str, endpoint_url: str | None = None) -> None:
        self.student_id = student_id
        self.names = reference_names(student_id)
        self._session = session
        self._endpoint = endpoint_url
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self._endpoint)
        return self._clients[service]

    # DynamoDB -----------------------------------------------------------------------------------
    def create_table(self) -> dict[str, Any]:
        ddb = self.client("dynamodb")
        try:
            return ddb.describe_table(TableName=self.names["table"])["Table"]
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise
        ddb.create_table(**reference_table(self.student_id))
        ddb.get_waiter("table_exists").wait(
            TableName=self.names["table"], WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )
        return ddb.describe_table(TableName=self.names["table"])["Table"]

    def load_orders(self) -> None:
        ddb = self.client("dynamodb")
        serializer = TypeSerializer()
        orders = seed_orders()
        orders[0]["expiry_date"] = expiry_timestamp()
        for start in range(0, len(orders), 25):
            requests = [
                {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in o.items()}}}
                for o in orders[start : start + 25]
            ]
            pending: dict[str, Any] = {self.names["table"]: requests}
            while pending:
                pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems", {})

    def enable_ttl(self) -> None:
        ddb = self.client("dynamodb")
        ttl = ddb.describe_time_to_live(TableName=self.names["table"])["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            return
        ddb.update_time_to_live(
            TableName=self.names["table"],
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiry_date"},
        )

    # Lambda -------------------------------------------------------------------------------------
    def create_role(self) -> str:
        iam = self.client("iam")
        try:
            arn = iam.get_role(RoleName=self.names["role"])["Role"]["Arn"]
        except ClientError as exc:
            if _code(exc) != "NoSuchEntity":
                raise
            arn = iam.create_role(
                RoleName=self.names["role"], AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
            )["Role"]["Arn"]
        iam.attach_role_policy(RoleName=self.names["role"], PolicyArn=STREAM_POLICY_ARN)
        return arn

    def create_function(self, role_arn: str) -> str:
        lam = self.client("lambda")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.write(HERE / "lambda_function.py", "lambda_function.py")
        try:
            return lam.get_function(FunctionName=self.names["function"])["Configuration"]["FunctionArn"]
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise
        attempts = 10  # a new IAM role takes a few seconds to be assumable on AWS
        while True:
            attempts -= 1
            try:
                return lam.create_function(
                    FunctionName=self.names["function"],
                    Runtime="python3.12",
                    Role=role_arn,
                    Handler="lambda_function.lambda_handler",
                    Code={"ZipFile": buffer.getvalue()},
                    Timeout=30,
                )["FunctionArn"]
            except ClientError as exc:
                if _code(exc) != "InvalidParameterValueException" or not attempts:
                    raise
                time.sleep(3)

    def map_stream(self, stream_arn: str, function_arn: str) -> None:
        lam = self.client("lambda")
        existing = lam.list_event_source_mappings(EventSourceArn=stream_arn)["EventSourceMappings"]
        if not existing:
            lam.create_event_source_mapping(
                EventSourceArn=stream_arn,
                FunctionName=function_arn,
                BatchSize=10,
                StartingPosition="LATEST",
                Enabled=True,
            )

    # CloudWatch ---------------------------------------------------------------------------------
    def create_alarms(self) -> None:
        topic = self.client("sns").create_topic(Name=self.names["topic"])["TopicArn"]
        cloudwatch = self.client("cloudwatch")
        table_dimension = {"Name": "TableName", "Value": self.names["table"]}
        alarms = [
            (self.names["read_alarm"], "ReadThrottleEvents", [table_dimension], 5),
            (self.names["write_alarm"], "WriteThrottleEvents", [table_dimension], 5),
            (
                self.names["gsi_alarm"],
                "ReadThrottleEvents",
                [table_dimension, {"Name": "GlobalSecondaryIndexName", "Value": GSI_NAME}],
                10,
            ),
        ]
        for name, metric, dimensions, threshold in alarms:
            cloudwatch.put_metric_alarm(
                AlarmName=name,
                Namespace="AWS/DynamoDB",
                MetricName=metric,
                Dimensions=dimensions,
                Statistic="Sum",
                Period=300,
                EvaluationPeriods=1,
                Threshold=threshold,
                ComparisonOperator="GreaterThanThreshold",
                AlarmActions=[topic],
                TreatMissingData="notBreaching",
            )

    def deploy(self) -> None:
        table = self.create_table()
        self.load_orders()
        self.enable_ttl()
        function_arn = self.create_function(self.create_role())
        self.map_stream(table["LatestStreamArn"], function_arn)
        self.create_alarms()

    def teardown(self) -> None:
        """Delete exactly what deploy creates; missing pieces are skipped."""

        def quietly(call: Any, **kwargs: Any) -> None:
            try:
                call(**kwargs)
            except ClientError as exc:
                if _code(exc) not in ("ResourceNotFoundException", "NoSuchEntity", "NotFound"):
                    raise

        lam, iam = self.client("lambda"), self.client("iam")
        ddb = self.client("dynamodb")
        try:
            stream = ddb.describe_table(TableName=self.names["table"])["Table"].get("LatestStreamArn")
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise
            stream = None
        if stream:
            for mapping in lam.list_event_source_mappings(EventSourceArn=stream)["EventSourceMappings"]:
                quietly(lam.delete_event_source_mapping, UUID=mapping["UUID"])
        quietly(lam.delete_function, FunctionName=self.names["function"])
        quietly(iam.detach_role_policy, RoleName=self.names["role"], PolicyArn=STREAM_POLICY_ARN)
        quietly(iam.delete_role, RoleName=self.names["role"])
        self.client("cloudwatch").delete_alarms(
            AlarmNames=[self.names["read_alarm"], self.names["write_alarm"], self.names["gsi_alarm"]]
        )
        sns = self.client("sns")
        for page in sns.get_paginator("list_topics").paginate():
            for topic in page["Topics"]:
                if topic["TopicArn"].rsplit(":", 1)[-1] == self.names["topic"]:
                    sns.delete_topic(TopicArn=topic["TopicArn"])
        quietly(ddb.delete_table, TableName=self.names["table"])


def deploy(session: boto3.Session, student_id: str, endpoint_url: str | None = None) -> None:
    Deployment(session, student_id, endpoint_url).deploy()


def teardown(session: boto3.Session, student_id: str, endpoint_url: str | None = None) -> None:
    Deployment(session, student_id, endpoint_url).teardown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student-id", required=True)
    parser.add_argument("--endpoint-url")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--profile")
    parser.add_argument("--teardown", action="store_true", help="delete instead of deploy")
    args = parser.parse_args(argv)
    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    (teardown if args.teardown else deploy)(session, args.student_id, args.endpoint_url)
    print(f"{'removed' if args.teardown else 'deployed'} the reference solution for {args.student_id}")


if __name__ == "__main__":
    main()

"""Answers as real AWS gives them, for the reads the grader makes: every field the API references
document today (not only those the grader reads, and none an emulator leaves out), with values of a
correct deployment for student alice. Written for these self-tests from the documented response shapes;
the helpers return copies with a state or field changed.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from grader.aws.resources import StudentResources

ACCOUNT = "123456789012"
REGION = "us-east-1"
TABLE_NAME = "orders-alice"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE_NAME}"
STREAM_LABEL = "2026-11-30T09:15:02.114"
STREAM_ARN = f"{TABLE_ARN}/stream/{STREAM_LABEL}"
FUNCTION_NAME = "process-orders-stream-alice"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_NAME}"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/process-orders-stream-alice-role"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:orders-alarms-alice"
CREATED = datetime(2026, 11, 30, 9, 14, 40, tzinfo=UTC)


def _keys(hash_key: str, range_key: str) -> list[dict[str, str]]:
    return [{"AttributeName": hash_key, "KeyType": "HASH"}, {"AttributeName": range_key, "KeyType": "RANGE"}]


ON_DEMAND_THROUGHPUT = {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
"""What an on-demand table or index reports as its provisioned throughput."""
NO_REQUEST_LIMIT = {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}
WARM = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}

DESCRIBE_TABLE: dict[str, Any] = {
    "Table": {
        "AttributeDefinitions": [
            {"AttributeName": "customer_id", "AttributeType": "S"},
            {"AttributeName": "order_date", "AttributeType": "S"},
            {"AttributeName": "order_id", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "total_amount", "AttributeType": "N"},
        ],
        "TableName": TABLE_NAME,
        "KeySchema": _keys("customer_id", "order_id"),
        "TableStatus": "ACTIVE",
        "CreationDateTime": CREATED,
        "ProvisionedThroughput": ON_DEMAND_THROUGHPUT,
        "TableSizeBytes": 5312,
        "ItemCount": 17,
        "TableArn": TABLE_ARN,
        "TableId": "4f6c2a1e-8b3d-4c5e-9a7f-0d1e2f3a4b5c",
        "BillingModeSummary": {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": CREATED,
        },
        "LocalSecondaryIndexes": [
            {
                "IndexName": "CustomerAmountIndex",
                "KeySchema": _keys("customer_id", "total_amount"),
                "Projection": {"ProjectionType": "ALL"},
                "IndexSizeBytes": 5312,
                "ItemCount": 17,
                "IndexArn": f"{TABLE_ARN}/index/CustomerAmountIndex",
            }
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "StatusDateIndex",
                "KeySchema": _keys("status", "order_date"),
                "Projection": {"ProjectionType": "ALL"},
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": ON_DEMAND_THROUGHPUT,
                "IndexSizeBytes": 5312,
                "ItemCount": 17,
                "IndexArn": f"{TABLE_ARN}/index/StatusDateIndex",
                "OnDemandThroughput": NO_REQUEST_LIMIT,
                "WarmThroughput": WARM,
            }
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "LatestStreamLabel": STREAM_LABEL,
        "LatestStreamArn": STREAM_ARN,
        "TableClassSummary": {"TableClass": "STANDARD"},
        "DeletionProtectionEnabled": False,
        "OnDemandThroughput": NO_REQUEST_LIMIT,
        "WarmThroughput": WARM,
    }
}


def table(
    status: str = "ACTIVE", gsi_status: str = "ACTIVE", backfilling: bool | None = None
) -> dict[str, Any]:
    """DescribeTable's Table, with the table's and StatusDateIndex's states as given (Backfilling is
    reported while an index is being created)."""
    answer = copy.deepcopy(DESCRIBE_TABLE["Table"])
    answer["TableStatus"] = status
    gsi = answer["GlobalSecondaryIndexes"][0]
    gsi["IndexStatus"] = gsi_status
    if backfilling is not None:
        gsi["Backfilling"] = backfilling
        gsi.update(IndexSizeBytes=0, ItemCount=0)
    return answer


def time_to_live(status: str) -> dict[str, Any]:
    """DescribeTimeToLive's answer (AttributeName is reported in every state but DISABLED)."""
    description: dict[str, Any] = {"TimeToLiveStatus": status}
    if status != "DISABLED":
        description["AttributeName"] = "expiry_date"
    return {"TimeToLiveDescription": description}


def describe_stream(status: str) -> dict[str, Any]:
    """DynamoDB Streams' DescribeStream answer for the table's stream."""
    return {
        "StreamDescription": {
            "StreamArn": STREAM_ARN,
            "StreamLabel": STREAM_LABEL,
            "StreamStatus": status,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            "CreationRequestDateTime": CREATED,
            "TableName": TABLE_NAME,
            "KeySchema": _keys("customer_id", "order_id"),
            "Shards": [
                {
                    "ShardId": "shardId-00000001764494102114-3a9f51c2",
                    "SequenceNumberRange": {"StartingSequenceNumber": "100000000000000000000001"},
                }
            ],
        }
    }


GET_FUNCTION_PENDING: dict[str, Any] = {
    "Configuration": {
        "FunctionName": FUNCTION_NAME,
        "FunctionArn": FUNCTION_ARN,
        "Runtime": "python3.12",
        "Role": ROLE_ARN,
        "Handler": "lambda_function.lambda_handler",
        "CodeSize": 731,
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "LastModified": "2026-11-30T09:20:11.402+0000",
        "CodeSha256": "kq1h0Qn9mV3c2b8yR7e5t4w6u1i0o9p8a7s6d5f4g3h=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": "8d2f6b1a-3c4e-4f5a-9b7c-1e2d3f4a5b6c",
        "State": "Pending",
        "StateReason": "The function is being created.",
        "StateReasonCode": "Creating",
        "LastUpdateStatus": "InProgress",
        "LastUpdateStatusReason": "The function is being created.",
        "LastUpdateStatusReasonCode": "Creating",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {
            "RuntimeVersionArn": f"arn:aws:lambda:{REGION}::runtime:5c0f1d2e3a4b5c6d7e8f9a0b1c2d3e4f"
        },
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{FUNCTION_NAME}"},
    },
    "Code": {
        "RepositoryType": "S3",
        "Location": "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/example",
    },
    "Tags": {"StudentID": "alice"},
}
"""GetFunction just after CreateFunction (GetFunctionConfiguration answers its Configuration)."""

MAPPING_STATES = ("Creating", "Enabling", "Enabled", "Disabling", "Disabled", "Updating", "Deleting")
"""Every State of an event source mapping, as ListEventSourceMappings reports them."""


def event_source_mapping(state: str) -> dict[str, Any]:
    """A ListEventSourceMappings entry: the table's stream into the function, batch size 10, LATEST."""
    return {
        "UUID": "a1b2c3d4-5678-90ab-cdef-111122223333",
        "StartingPosition": "LATEST",
        "BatchSize": 10,
        "MaximumBatchingWindowInSeconds": 0,
        "ParallelizationFactor": 1,
        "EventSourceArn": STREAM_ARN,
        "FunctionArn": FUNCTION_ARN,
        "LastModified": CREATED,
        "LastProcessingResult": "No records processed",
        "State": state,
        "StateTransitionReason": "User action",
        "DestinationConfig": {"OnFailure": {}},
        "MaximumRecordAgeInSeconds": -1,
        "BisectBatchOnFunctionError": False,
        "MaximumRetryAttempts": -1,
        "TumblingWindowInSeconds": 0,
        "FunctionResponseTypes": [],
        "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:a1b2c3d4-5678",
    }


def _metric(name: str, gsi: bool = False) -> dict[str, Any]:
    dimensions = [{"Name": "TableName", "Value": TABLE_NAME}]
    if gsi:
        dimensions.append({"Name": "GlobalSecondaryIndexName", "Value": "StatusDateIndex"})
    return {"Namespace": "AWS/DynamoDB", "MetricName": name, "Dimensions": dimensions}


STATE_REASONS = {
    "ALARM": "Threshold Crossed: 1 datapoint [12.0 (30/11/26 09:30:00)] was greater than the threshold",
    "INSUFFICIENT_DATA": "Insufficient Data: 1 datapoint was unknown.",
}


def _alarm(name: str, state: str, threshold: float) -> dict[str, Any]:
    """The fields every MetricAlarms entry of DescribeAlarms carries, whatever it watches."""
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        "AlarmDescription": "Throttled requests on the orders table",
        "AlarmConfigurationUpdatedTimestamp": CREATED,
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": [TOPIC_ARN],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": STATE_REASONS[state],
        "StateUpdatedTimestamp": CREATED,
        "StateTransitionedTimestamp": CREATED,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }


def metric_alarm(name: str, metric: str, state: str, threshold: float, gsi: bool = False) -> dict[str, Any]:
    """An alarm on one metric: MetricName, Statistic and Period at the top level."""
    return {**_alarm(name, state, threshold), **_metric(metric, gsi), "Statistic": "Sum", "Period": 300}


def metric_math_alarm(
    name: str, metric: str, state: str, threshold: float, gsi: bool = False
) -> dict[str, Any]:
    """The same alarm written as metric math: `Metrics` holds the query, and there is no MetricName,
    Namespace, Dimensions, Statistic or Period at the top level."""
    return {**_alarm(name, state, threshold), "Metrics": [_query("m1", metric, gsi)]}


def _query(query_id: str, metric: str, gsi: bool = False, returned: bool = True) -> dict[str, Any]:
    """A MetricDataQuery of an alarm's Metrics: the Sum of a metric over 5 minutes."""
    stat = {"Metric": _metric(metric, gsi), "Period": 300, "Stat": "Sum"}
    return {"Id": query_id, "MetricStat": stat, "ReturnData": returned}


def expression_alarm(name: str, state: str) -> dict[str, Any]:
    """A metric-math alarm on an expression of two metrics (read and write throttling added up)."""
    total = {"Id": "total", "Expression": "reads + writes", "Label": "Throttled requests", "ReturnData": True}
    reads = _query("reads", "ReadThrottleEvents", returned=False)
    writes = _query("writes", "WriteThrottleEvents", returned=False)
    return {**_alarm(name, state, 5.0), "Metrics": [total, reads, writes]}


class AnsweringClient:
    """A boto3 client stand-in: each operation it was given answers as given, whatever its parameters."""

    def __init__(self, **answers: dict[str, Any]) -> None:
        self.answers = answers

    def __getattr__(self, operation: str) -> Any:
        if operation not in self.answers:
            raise AttributeError(operation)
        return lambda **params: self.answers[operation]


def resources(**answers: dict[str, Any]) -> StudentResources:
    """Student alice's resources as the grader reads them, from clients giving these answers
    (describe_table=..., describe_time_to_live=..., describe_stream=...)."""
    account = SimpleNamespace(client=lambda service: AnsweringClient(**answers), region=REGION)
    return StudentResources(account, "alice")  # type: ignore[arg-type]

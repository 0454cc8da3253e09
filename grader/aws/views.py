"""The student's resources as plain values: small typed views of AWS answers, for the checks to read.

grader/aws/resources.py builds them once per student; the checks and their helpers read their fields and
never an AWS response. Each view keeps only what some check judges. An optional field AWS or an emulator
leaves out reads as its documented default (billing PROVISIONED, class STANDARD, streams off) or None.
States read as grader/states.py settles them: a table UPDATING is ACTIVE, a TTL ENABLING is ENABLED, a
mapping Creating is Enabled.
Items are plain dicts, converted by boto3's TypeDeserializer: S -> str, N -> Decimal, B -> Binary,
BOOL -> bool, NULL -> None, SS/NS/BS -> set, L -> list, M -> dict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from grader.assessment import Key
from grader.states import settled

Item = dict[str, Any]
"""An item with plain values: {"customer_id": "CUST001", "quantity": Decimal("2"), ...}."""
INDEX_LISTS = ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
"""Where DescribeTable lists a table's indexes (an IndexSpec's kind)."""

_DESERIALIZER = TypeDeserializer()
_SERIALIZER = TypeSerializer()


def plain_item(item: Mapping[str, Mapping[str, Any]]) -> Item:
    """An item as Scan and Query return it ({"quantity": {"N": "2"}}) in plain values."""
    return {name: _plain_value(value) for name, value in item.items()}


def _plain_value(value: Mapping[str, Any]) -> Any:
    """A typed value in plain form. One DynamoDB would refuse but an emulator keeps (an NS of words,
    which boto3 reads as NaN) stays typed, a dict no check takes for a valid value: the student's data
    is judged as it is, and never makes a check error."""
    try:
        plain = _DESERIALIZER.deserialize(value)
        _SERIALIZER.serialize(plain)  # NaN and Infinity, which no DynamoDB number is, do not come back
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        return dict(value)
    return plain


def dynamodb_type(value: Any) -> str:
    """The DynamoDB type a plain value is stored as: S, N, B, BOOL, NULL, SS, NS, BS, L or M."""
    return next(iter(_SERIALIZER.serialize(value)))


def policy_document(document: str | Mapping[str, Any]) -> dict[str, Any]:
    """An IAM policy document: URL-encoded JSON on AWS, JSON or a dict on emulators."""
    if isinstance(document, Mapping):
        return dict(document)
    return json.loads(unquote(document))


def describe_keys(keys: Iterable[Key]) -> str:
    """'HASH customer_id (S), RANGE order_id (S)'."""
    return ", ".join(f"{key_type} {name} ({attr_type})" for name, key_type, attr_type in keys)


def _keys(key_schema: Iterable[Mapping[str, str]], types: Mapping[str, str]) -> tuple[Key, ...]:
    """A key schema with each attribute's type ('?' when undeclared), HASH first."""
    ordered = sorted(key_schema, key=lambda k: k["KeyType"] != "HASH")
    return tuple((k["AttributeName"], k["KeyType"], types.get(k["AttributeName"], "?")) for k in ordered)


@dataclass(frozen=True)
class IndexView:
    """A GSI or LSI of the table."""

    name: str
    keys: tuple[Key, ...]
    projection: str | None
    status: str | None
    """None for an LSI: it lives with its table and reports no status of its own."""
    backfilling: bool = False
    """A new GSI is still copying the table's items (while CREATING)."""

    @classmethod
    def from_aws(cls, index: Mapping[str, Any], attribute_types: Mapping[str, str]) -> IndexView:
        """From a GlobalSecondaryIndexes or LocalSecondaryIndexes entry and the table's attribute types."""
        return cls(
            name=index["IndexName"],
            keys=_keys(index["KeySchema"], attribute_types),
            projection=(index.get("Projection") or {}).get("ProjectionType"),
            status=settled(index.get("IndexStatus")),
            backfilling=bool(index.get("Backfilling", False)),
        )


@dataclass(frozen=True)
class TableView:
    """The table: DescribeTable's answer, with key attribute types resolved."""

    name: str
    arn: str
    status: str
    keys: tuple[Key, ...]
    billing_mode: str
    table_class: str
    stream_enabled: bool
    stream_view_type: str | None
    latest_stream_arn: str | None
    gsis: tuple[IndexView, ...]
    lsis: tuple[IndexView, ...]

    @classmethod
    def from_aws(cls, table: Mapping[str, Any]) -> TableView:
        """From DescribeTable's Table."""
        types = {d["AttributeName"]: d["AttributeType"] for d in table.get("AttributeDefinitions") or []}
        stream = table.get("StreamSpecification") or {}
        gsis, lsis = (
            tuple(IndexView.from_aws(index, types) for index in table.get(kind) or []) for kind in INDEX_LISTS
        )
        return cls(
            name=table["TableName"],
            arn=table["TableArn"],
            status=settled(table["TableStatus"]),
            keys=_keys(table["KeySchema"], types),
            billing_mode=(table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
            table_class=(table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
            stream_enabled=bool(stream.get("StreamEnabled", False)),
            stream_view_type=stream.get("StreamViewType"),
            latest_stream_arn=table.get("LatestStreamArn"),
            gsis=gsis,
            lsis=lsis,
        )

    def indexes(self, kind: str) -> tuple[IndexView, ...]:
        """The GSIs or the LSIs, by where DescribeTable lists them (an IndexSpec's kind)."""
        return dict(zip(INDEX_LISTS, (self.gsis, self.lsis), strict=True))[kind]


@dataclass(frozen=True)
class TtlView:
    """The table's time to live."""

    status: str
    attribute: str | None

    @classmethod
    def from_aws(cls, description: Mapping[str, Any]) -> TtlView:
        """From DescribeTimeToLive's TimeToLiveDescription."""
        status = settled(description.get("TimeToLiveStatus", "DISABLED"))
        return cls(status, description.get("AttributeName"))


@dataclass(frozen=True)
class FunctionView:
    """The Lambda function's configuration."""

    name: str
    arn: str
    runtime: str | None
    """None for a container image."""
    handler: str | None
    role_arn: str

    @classmethod
    def from_aws(cls, configuration: Mapping[str, Any]) -> FunctionView:
        """From GetFunctionConfiguration's answer."""
        return cls(
            name=configuration["FunctionName"],
            arn=configuration["FunctionArn"],
            runtime=configuration.get("Runtime"),
            handler=configuration.get("Handler"),
            role_arn=configuration["Role"],
        )


@dataclass(frozen=True)
class RoleView:
    """An IAM role: its name and trust policy."""

    name: str
    trust_policy: dict[str, Any]

    @classmethod
    def from_aws(cls, role: Mapping[str, Any]) -> RoleView:
        """From GetRole's Role."""
        return cls(role["RoleName"], policy_document(role["AssumeRolePolicyDocument"]))


@dataclass(frozen=True)
class MappingView:
    """A Lambda event source mapping."""

    uuid: str
    source_arn: str | None
    """None for a source without an ARN (a self-managed Kafka cluster)."""
    function_arn: str
    state: str | None
    batch_size: int | None
    starting_position: str | None

    @classmethod
    def from_aws(cls, mapping: Mapping[str, Any]) -> MappingView:
        """From an entry of ListEventSourceMappings."""
        return cls(
            uuid=mapping["UUID"],
            source_arn=mapping.get("EventSourceArn"),
            function_arn=mapping.get("FunctionArn", ""),
            state=settled(mapping.get("State")),
            batch_size=mapping.get("BatchSize"),
            starting_position=mapping.get("StartingPosition"),
        )


@dataclass(frozen=True)
class AlarmView:
    """The parts of a metric alarm the checks judge (a single-metric math alarm is read the same way)."""

    name: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int | None
    threshold: float | None
    comparison: str
    alarm_actions: tuple[str, ...]
    actions_enabled: bool

    @classmethod
    def from_aws(cls, alarm: Mapping[str, Any]) -> AlarmView:
        """From a MetricAlarms entry of DescribeAlarms."""
        metric: Mapping[str, Any] = alarm
        stat: str = alarm.get("Statistic") or alarm.get("ExtendedStatistic") or "?"
        period = alarm.get("Period") or 0
        queries = [q for q in alarm.get("Metrics") or [] if q.get("ReturnData", True)]
        if not alarm.get("MetricName") and len(queries) == 1 and "MetricStat" in queries[0]:
            metric_stat = queries[0]["MetricStat"]
            metric, stat, period = metric_stat["Metric"], metric_stat.get("Stat", "?"), metric_stat["Period"]
        return cls(
            name=alarm["AlarmName"],
            namespace=metric.get("Namespace", ""),
            metric=metric.get("MetricName", ""),
            dimensions={d["Name"]: d["Value"] for d in metric.get("Dimensions") or []},
            statistic=stat,
            period=int(period),
            evaluation_periods=int(alarm.get("EvaluationPeriods") or 0),
            datapoints_to_alarm=alarm.get("DatapointsToAlarm"),
            threshold=alarm.get("Threshold"),
            comparison=alarm.get("ComparisonOperator", ""),
            alarm_actions=tuple(alarm.get("AlarmActions") or ()),
            actions_enabled=alarm.get("ActionsEnabled", True),
        )

    def summary(self) -> str:
        """'orders-alice-read (AWS/DynamoDB ReadThrottleEvents, TableName=orders-alice)'."""
        dims = ", ".join(f"{k}={v}" for k, v in sorted(self.dimensions.items()))
        return f"{self.name} ({self.namespace} {self.metric}{', ' + dims if dims else ''})"

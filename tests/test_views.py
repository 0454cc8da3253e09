"""grader.aws.views without AWS: views of describe answers (as AWS gives them, and as emulators leave fields
out) and items in plain values that keep the type distinctions the checks make."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from boto3.dynamodb.types import Binary

from grader.assessment import GSI, LSI, TABLE_KEYS
from grader.aws.views import (
    AlarmView,
    FunctionView,
    IndexView,
    MappingView,
    RoleView,
    TableView,
    TtlView,
    dynamodb_type,
    plain_item,
)
from grader.checks import index_reads, order_data

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-alice"
STREAM = f"{ARN}/stream/2026-01-01T00:00:00.000"


def key_schema(*keys: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": name, "KeyType": kind} for name, kind in keys]


AWS_TABLE: dict[str, Any] = {
    "TableName": "orders-alice",
    "TableArn": ARN,
    "TableStatus": "ACTIVE",
    "AttributeDefinitions": [
        {"AttributeName": name, "AttributeType": kind}
        for name, kind in (
            ("customer_id", "S"),
            ("order_id", "S"),
            ("status", "S"),
            ("order_date", "S"),
            ("total_amount", "N"),
        )
    ],
    "KeySchema": key_schema(("order_id", "RANGE"), ("customer_id", "HASH")),
    "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
    "TableClassSummary": {"TableClass": "STANDARD_INFREQUENT_ACCESS"},
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    "LatestStreamArn": STREAM,
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "StatusDateIndex",
            "KeySchema": key_schema(("status", "HASH"), ("order_date", "RANGE")),
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "IndexStatus": "CREATING",
        }
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "CustomerAmountIndex",
            "KeySchema": key_schema(("customer_id", "HASH"), ("total_amount", "RANGE")),
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
}
BARE_TABLE = {key: AWS_TABLE[key] for key in ("TableName", "TableArn", "TableStatus", "KeySchema")}
"""What an emulator may answer: no summaries, no stream, no indexes, no attribute definitions."""


def test_a_table_as_aws_describes_it() -> None:
    table = TableView.from_aws(AWS_TABLE)
    assert (table.name, table.arn, table.status) == ("orders-alice", ARN, "ACTIVE")
    assert table.keys == TABLE_KEYS, "HASH first, with the attribute types resolved"
    assert (table.billing_mode, table.table_class) == ("PAY_PER_REQUEST", "STANDARD_INFREQUENT_ACCESS")
    assert (table.stream_enabled, table.stream_view_type, table.latest_stream_arn) == (
        True,
        "NEW_AND_OLD_IMAGES",
        STREAM,
    )
    assert table.gsis == (IndexView("StatusDateIndex", GSI.keys, "KEYS_ONLY", "CREATING"),)
    assert table.lsis == (IndexView("CustomerAmountIndex", LSI.keys, "ALL", None),)
    assert (table.indexes(GSI.kind), table.indexes(LSI.kind)) == (table.gsis, table.lsis)


def test_fields_an_emulator_leaves_out_read_as_the_aws_defaults() -> None:
    table = TableView.from_aws(BARE_TABLE)
    assert (table.billing_mode, table.table_class) == ("PROVISIONED", "STANDARD")
    assert (table.stream_enabled, table.stream_view_type, table.latest_stream_arn) == (False, None, None)
    assert (table.gsis, table.lsis) == ((), ())
    assert table.keys == (("customer_id", "HASH", "?"), ("order_id", "RANGE", "?"))
    index = IndexView.from_aws({"IndexName": "i", "KeySchema": key_schema(("a", "HASH"))}, {"a": "N"})
    assert index == IndexView("i", (("a", "HASH", "N"),), None, None)


def test_a_turned_off_stream_is_off_whatever_else_is_reported() -> None:
    table = TableView.from_aws({**AWS_TABLE, "StreamSpecification": {"StreamEnabled": False}})
    assert (table.stream_enabled, table.stream_view_type) == (False, None)


def test_function_role_mapping_and_ttl() -> None:
    configuration = {
        "FunctionName": "process-orders-stream-alice",
        "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:process-orders-stream-alice",
        "Role": "arn:aws:iam::123456789012:role/service-role/r",
        "PackageType": "Image",
    }
    image = FunctionView.from_aws(configuration)
    assert (image.runtime, image.handler, image.role_arn) == (None, None, configuration["Role"])
    zipped = FunctionView.from_aws({**configuration, "Runtime": "python3.12", "Handler": "a.b"})
    assert (zipped.runtime, zipped.handler) == ("python3.12", "a.b")

    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    for document in (trust, json.dumps(trust), quote(json.dumps(trust))):
        role = RoleView.from_aws({"RoleName": "r", "AssumeRolePolicyDocument": document})
        assert role == RoleView("r", trust)

    mapping = {
        "UUID": "u",
        "EventSourceArn": STREAM,
        "FunctionArn": configuration["FunctionArn"],
        "State": "Enabled",
        "BatchSize": 10,
        "StartingPosition": "LATEST",
    }
    assert MappingView.from_aws(mapping) == MappingView(
        "u", STREAM, configuration["FunctionArn"], "Enabled", 10, "LATEST"
    )
    assert MappingView.from_aws({"UUID": "k"}) == MappingView("k", None, "", None, None, None)

    assert TtlView.from_aws({}) == TtlView("DISABLED", None)
    assert TtlView.from_aws({"TimeToLiveStatus": "ENABLED", "AttributeName": "expiry_date"}) == TtlView(
        "ENABLED", "expiry_date"
    )


def test_an_alarm_without_optional_fields() -> None:
    alarm = AlarmView.from_aws({"AlarmName": "a"})
    assert (alarm.metric, alarm.dimensions, alarm.statistic, alarm.period) == ("", {}, "?", 0)
    assert (alarm.threshold, alarm.alarm_actions, alarm.actions_enabled) == (None, (), True)


TYPED = {
    "s": {"S": "2"},
    "n": {"N": "2"},
    "bool": {"BOOL": True},
    "null": {"NULL": True},
    "ss": {"SS": ["b", "a"]},
    "ns": {"NS": ["2", "1.5"]},
    "l": {"L": [{"S": "x"}, {"N": "1"}]},
    "m": {"M": {"k": {"BOOL": False}}},
    "b": {"B": b"\x00"},
}


def test_items_in_plain_values() -> None:
    item = plain_item(TYPED)
    assert item == {
        "s": "2",
        "n": Decimal(2),
        "bool": True,
        "null": None,
        "ss": {"a", "b"},
        "ns": {Decimal("1.5"), Decimal(2)},
        "l": ["x", Decimal(1)],
        "m": {"k": False},
        "b": Binary(b"\x00"),
    }
    assert not isinstance(item["bool"], Decimal) and isinstance(item["n"], Decimal)
    assert {name: dynamodb_type(value) for name, value in item.items()} == {
        name: next(iter(typed)) for name, typed in TYPED.items()
    }


def order(**attributes: dict[str, Any]) -> dict[str, Any]:
    """A complete order as Scan returns it, with typed attributes replaced."""
    typed = {
        "customer_id": {"S": "CUST001"},
        "order_id": {"S": "ORD0001"},
        "status": {"S": "pending"},
        "order_date": {"S": "2026-11-01"},
        "total_amount": {"N": "19.99"},
        "quantity": {"N": "2"},
    }
    return plain_item(typed | attributes)


@pytest.mark.parametrize(
    "attributes, problem",
    [
        ({}, None),
        ({"quantity": {"S": "2"}}, "quantity is a string ('2')"),
        ({"quantity": {"BOOL": True}}, "quantity is a boolean (True)"),
        ({"total_amount": {"NS": ["2", "1.5"]}}, "total_amount is of type NS ({1.5, 2})"),
        ({"order_date": {"N": "20261101"}}, "order_date is a number (20261101)"),
        ({"status": {"SS": ["pending"]}}, "status {'pending'} is not one of"),
        ({"customer_id": {"N": "1"}}, "customer_id is a number"),
    ],
)
def test_stored_types_decide_an_orders_verdict(attributes: dict[str, Any], problem: str | None) -> None:
    problems = order_data.order_problems(order(**attributes))
    assert (problems == []) if problem is None else any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(
    "typed, problem",
    [
        ({"N": "1800000060"}, ""),
        ({"S": "1800000060"}, "expiry_date is a string ('1800000060'); TTL ignores anything but a number"),
        ({"BOOL": True}, "expiry_date is a boolean (True)"),
        ({"N": "1800000060000"}, "expiry_date 1800000060000 is in milliseconds"),
        ({"N": "1799999999.5"}, "expiry_date 1799999999.5 is in the past"),
    ],
)
def test_stored_types_decide_an_expiry(typed: dict[str, Any], problem: str) -> None:
    found = order_data.expiry_problem(plain_item({"expiry_date": typed})["expiry_date"], 1_800_000_000.0)
    assert found.startswith(problem) if problem else found == "", found


def test_an_index_holds_only_items_whose_keys_have_its_key_types() -> None:
    items = [
        order(),
        order(order_id={"S": "ORD0002"}, total_amount={"S": "19.99"}),  # a string amount: not in the LSI
        order(order_id={"S": "ORD0003"}, status={"N": "1"}),  # a numeric status: not in the GSI
        order(order_id={"S": "ORD0004"}, order_date={"BOOL": True}),
    ]
    by_customer, by_status = index_reads.indexed(items, LSI), index_reads.indexed(items, GSI)
    assert {customer: index_reads.keys(held) for customer, held in by_customer.items()} == {
        "CUST001": {("CUST001", "ORD0001"), ("CUST001", "ORD0003"), ("CUST001", "ORD0004")}
    }
    assert {status: index_reads.keys(held) for status, held in by_status.items()} == {
        "pending": {("CUST001", "ORD0001"), ("CUST001", "ORD0002")}
    }
    numbers = [order(total_amount={"N": amount}) for amount in ("10", "9.5", "100")]
    assert index_reads.first_out_of_order(numbers, "total_amount") == 1, "numbers compare as numbers"

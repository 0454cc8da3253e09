"""Task 12, another valid way: condition objects and the client's modelled exception."""

import os
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
failed = table.meta.client.exceptions.ConditionalCheckFailedException
key = {"customer_id": "CUST001", "order_id": "ORD0001"}

try:
    table.update_item(
        Key=key,
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "processing"},
        ConditionExpression=Attr("status").eq("pending"),
    )
except failed:
    print("not pending: unchanged")

try:
    table.put_item(
        Item={**key, "status": "pending", "order_date": "2026-02-01", "total_amount": Decimal("10.00")},
        ConditionExpression=Attr("customer_id").not_exists(),
    )
except failed:
    print("exists already")

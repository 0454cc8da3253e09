"""Task 12: writes that only happen when a condition holds; a failed condition is expected, not fatal."""

import os
from decimal import Decimal

import boto3
from botocore.exceptions import ClientError

TABLE_NAME = os.environ.get("ORDERS_TABLE") or f"orders-{os.environ['STUDENT_ID']}"
ORDER_KEY = {"customer_id": "CUST001", "order_id": "ORD0001"}
NEW_ORDER = {**ORDER_KEY, "status": "pending", "order_date": "2026-04-01", "total_amount": Decimal("299.99")}


def condition_failed(error):
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


def start_processing(table):
    """pending -> processing; any other status is left alone (the condition fails)."""
    try:
        table.update_item(
            Key=ORDER_KEY,
            UpdateExpression="SET #status = :next",
            ConditionExpression="#status = :expected",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":next": "processing", ":expected": "pending"},
        )
        print("ORD0001: pending -> processing")
    except ClientError as error:
        if not condition_failed(error):
            raise
        print("ORD0001 is not pending any more: status left unchanged")


def create_once(table):
    """Put the order only when no item has its key yet (no silent overwrite of a duplicate)."""
    try:
        table.put_item(
            Item=NEW_ORDER,
            ConditionExpression="attribute_not_exists(order_id)",
        )
        print("ORD0001 created")
    except ClientError as error:
        if not condition_failed(error):
            raise
        print("ORD0001 already exists: not overwritten")


if __name__ == "__main__":
    orders = boto3.resource("dynamodb").Table(TABLE_NAME)
    start_processing(orders)
    create_once(orders)

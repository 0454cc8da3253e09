"""Task 5: the orders in one status, oldest first, read from the StatusDateIndex GSI."""

import os
import sys

import boto3
from boto3.dynamodb.conditions import Key

TABLE_NAME = os.environ.get("ORDERS_TABLE") or f"orders-{os.environ['STUDENT_ID']}"


def orders_in_status(table, status):
    """Every order in `status` (all result pages), sorted by order_date by the index itself."""
    # Key("status") makes boto3 send a #name placeholder: "status" is a DynamoDB reserved word.
    params = {"IndexName": "StatusDateIndex", "KeyConditionExpression": Key("status").eq(status)}
    orders = []
    while True:
        page = table.query(**params)
        orders.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return orders
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


if __name__ == "__main__":
    status = sys.argv[1] if len(sys.argv) > 1 else "pending"
    orders = orders_in_status(boto3.resource("dynamodb").Table(TABLE_NAME), status)
    print(f"{len(orders)} {status} orders, oldest first:")
    for order in orders:
        print(f"  {order['order_id']}  {order['order_date']}  ${order['total_amount']}")

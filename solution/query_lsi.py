"""Task 6: one customer's orders, largest total first, read from the CustomerAmountIndex LSI."""

import os
import sys

import boto3

TABLE_NAME = os.environ.get("ORDERS_TABLE") or f"orders-{os.environ['STUDENT_ID']}"


def orders_by_amount(client, customer_id):
    """The customer's orders by descending total_amount (ScanIndexForward=False reverses the LSI)."""
    paginator = client.get_paginator("query")
    pages = paginator.paginate(
        TableName=TABLE_NAME,
        IndexName="CustomerAmountIndex",
        KeyConditionExpression="customer_id = :customer",
        ExpressionAttributeValues={":customer": {"S": customer_id}},
        ScanIndexForward=False,
    )
    return [item for page in pages for item in page["Items"]]


if __name__ == "__main__":
    customer = sys.argv[1] if len(sys.argv) > 1 else "CUST001"
    orders = orders_by_amount(boto3.client("dynamodb"), customer)
    print(f"Orders of {customer}, largest first:")
    for order in orders:
        print(f"  {order['order_id']['S']}  ${order['total_amount']['N']}")

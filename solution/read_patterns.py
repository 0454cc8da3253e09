"""Task 13: strongly and eventually consistent reads, and when each is worth it."""

import os

import boto3

TABLE_NAME = os.environ.get("ORDERS_TABLE") or f"orders-{os.environ['STUDENT_ID']}"
ORDER_KEY = {"customer_id": {"S": "CUST001"}, "order_id": {"S": "ORD0001"}}

client = boto3.client("dynamodb")

# Strongly consistent: reflects every write acknowledged before the read (twice the read cost).
latest = client.get_item(TableName=TABLE_NAME, Key=ORDER_KEY, ConsistentRead=True).get("Item")
print("strongly consistent read:", latest["status"]["S"] if latest else "no such order")

# Eventually consistent (the default): half the cost, may lag a recent write by a moment.
cached = client.get_item(TableName=TABLE_NAME, Key=ORDER_KEY).get("Item")
print("eventually consistent read:", cached["status"]["S"] if cached else "no such order")

# A read-heavy listing: an eventually consistent query of the base table by partition key.
orders = client.query(
    TableName=TABLE_NAME,
    KeyConditionExpression="customer_id = :customer",
    ExpressionAttributeValues={":customer": {"S": "CUST001"}},
    ConsistentRead=False,
)["Items"]
print(f"CUST001 has {len(orders)} orders (eventually consistent query)")

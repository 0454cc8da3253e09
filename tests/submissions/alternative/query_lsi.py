"""Task 6, another valid way: a Key condition on the resource API."""

import os

import boto3
from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
result = table.query(
    IndexName="CustomerAmountIndex",
    KeyConditionExpression=Key("customer_id").eq("CUST002"),
    ScanIndexForward=False,
)
print([(o["order_id"], str(o["total_amount"])) for o in result["Items"]])

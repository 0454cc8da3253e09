"""Task 5, another valid way: the resource API with an explicit #name placeholder."""

import os

import boto3

table = boto3.resource("dynamodb").Table(f"orders-{os.environ['STUDENT_ID']}")
response = table.query(
    IndexName="StatusDateIndex",
    KeyConditionExpression="#st = :wanted",
    ExpressionAttributeNames={"#st": "status"},
    ExpressionAttributeValues={":wanted": "shipped"},
)
for order in response["Items"]:
    print(order["order_date"], order["order_id"])

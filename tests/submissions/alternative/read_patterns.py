"""Task 13, another valid way: the resource API, eventual consistency by omission."""

import os

import boto3
from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
key = {"customer_id": "CUST002", "order_id": "ORD0002"}
print(table.get_item(Key=key, ConsistentRead=True).get("Item", {}).get("status"))
print(table.get_item(Key=key).get("Item", {}).get("status"))
print(table.query(KeyConditionExpression=Key("customer_id").eq("CUST002"))["Count"])

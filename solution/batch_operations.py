"""Task 9: read and update several orders with one batch request each."""

import os

import boto3

TABLE_NAME = os.environ.get("ORDERS_TABLE") or f"orders-{os.environ['STUDENT_ID']}"

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(TABLE_NAME)


def batch_get_orders(order_keys):
    """The orders with these keys ({'customer_id': ..., 'order_id': ...}), via BatchGetItem.

    One request takes up to 100 keys; DynamoDB may leave some unprocessed, so ask again for those.
    """
    orders = []
    for start in range(0, len(order_keys), 100):
        request = {TABLE_NAME: {"Keys": order_keys[start : start + 100]}}
        while request:
            response = dynamodb.batch_get_item(RequestItems=request)
            orders.extend(response["Responses"].get(TABLE_NAME, []))
            request = response.get("UnprocessedKeys") or {}
    print(f"Retrieved {len(orders)} orders")
    return orders


def batch_update_status(order_keys, new_status):
    """Set the status of these orders: read them in one batch, write them back in batches of 25."""
    orders = batch_get_orders(order_keys)
    with table.batch_writer() as batch:
        for order in orders:
            batch.put_item(Item={**order, "status": new_status})
    print(f"Updated {len(orders)} orders to status {new_status}")
    return len(orders)


if __name__ == "__main__":
    batch_get_orders(
        [
            {"customer_id": "CUST001", "order_id": "ORD0001"},
            {"customer_id": "CUST002", "order_id": "ORD0002"},
            {"customer_id": "CUST003", "order_id": "ORD0003"},
        ]
    )
    batch_update_status([{"customer_id": "CUST002", "order_id": "ORD0002"}], "shipped")

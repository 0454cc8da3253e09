"""Stream processor for the orders table: logs new orders and status changes."""

import json


def _text(image, name, default="unknown"):
    return image.get(name, {}).get("S", default)


def lambda_handler(event, context):
    """Process a batch of DynamoDB stream records."""
    records = event.get("Records", [])
    for record in records:
        event_name = record.get("eventName")
        change = record.get("dynamodb", {})
        new_image = change.get("NewImage", {})
        old_image = change.get("OldImage", {})
        if event_name == "INSERT":
            print(
                f"New order created: {_text(new_image, 'order_id')} for customer "
                f"{_text(new_image, 'customer_id')} with status {_text(new_image, 'status')}"
            )
        elif event_name == "MODIFY":
            old_status, new_status = _text(old_image, "status"), _text(new_image, "status")
            if old_status != new_status:
                print(f"Order {_text(new_image, 'order_id')} status changed: {old_status} -> {new_status}")
        elif event_name == "REMOVE":
            print(f"Order removed: {_text(old_image, 'order_id')}")
    return {"statusCode": 200, "body": json.dumps(f"Processed {len(records)} records")}

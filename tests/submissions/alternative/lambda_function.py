"""Task 8, another valid way: a count field instead of a body, its own wording."""


def status_of(image):
    return (image or {}).get("status", {}).get("S")


def lambda_handler(event, context):
    for record in event["Records"]:
        data = record["dynamodb"]
        new, old = data.get("NewImage"), data.get("OldImage")
        if record["eventName"] == "INSERT":
            print(f"created {new['order_id']['S']} for {new['customer_id']['S']} ({status_of(new)})")
        elif record["eventName"] == "MODIFY" and status_of(old) != status_of(new):
            print(f"{data['Keys']['order_id']['S']}: {status_of(old)} => {status_of(new)}")
    return {"statusCode": 200, "recordsProcessed": len(event["Records"])}

"""The assessment as data, declared once: tasks, points, resource names, the reference table and its seed.

The checks, the grade and its reports, the sandbox's seed, the reference solution (`solution/`), the
student guide and the self-tests read this module; it reads none of them. Change the assessment here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

TITLE = "DynamoDB Medium"
"""The assessment's name as people read it (report titles, the student guide's heading)."""
ASSESSMENT = "dynamodb-medium"
"""The assessment's id in grade files."""


@dataclass(frozen=True)
class TaskInfo:
    number: int
    title: str
    points: int
    """Whole points: the checks of the task split them (verified when the grading suite is collected)."""


TASKS: tuple[TaskInfo, ...] = (
    TaskInfo(1, "Orders table with composite key", 10),
    TaskInfo(2, "Global secondary index StatusDateIndex", 8),
    TaskInfo(3, "Local secondary index CustomerAmountIndex", 8),
    TaskInfo(4, "Sample order data", 8),
    TaskInfo(5, "Query by status on the GSI", 6),
    TaskInfo(6, "Query by amount on the LSI", 6),
    TaskInfo(7, "DynamoDB Streams", 8),
    TaskInfo(8, "Lambda stream processor", 12),
    TaskInfo(9, "Batch operations", 8),
    TaskInfo(10, "Time to live", 8),
    TaskInfo(11, "CloudWatch throttling alarms", 8),
    TaskInfo(12, "Conditional writes", 6),
    TaskInfo(13, "Read consistency patterns", 4),
)

TASKS_BY_NUMBER: dict[int, TaskInfo] = {task.number: task for task in TASKS}
MAX_SCORE: float = float(sum(task.points for task in TASKS))


# The student's resources, named from their id -----------------------------------------------------
STUDENT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,42}")
"""A student id that makes valid resource names (orders-ID, process-orders-stream-ID)."""


def table_name(student_id: str) -> str:
    """The student's orders table."""
    return f"orders-{student_id}"


def function_name(student_id: str) -> str:
    """The student's stream-processing Lambda function."""
    return f"process-orders-stream-{student_id}"


def reference_names(student_id: str) -> dict[str, str]:
    """Every resource the reference solution deploys for a student, by role."""
    return {
        "table": table_name(student_id),
        "function": function_name(student_id),
        "role": f"process-orders-stream-role-{student_id}",
        "topic": f"orders-alarms-{student_id}",
        "read_alarm": f"orders-{student_id}-read-throttling",
        "write_alarm": f"orders-{student_id}-write-throttling",
        "gsi_alarm": f"orders-{student_id}-gsi-throttling",
    }


def table_tags(student_id: str) -> dict[str, str]:
    """The tags Task 1 asks for."""
    return {"Environment": "Production", "Application": "OrderManagement", "StudentID": student_id}


# The table's keys and indexes ----------------------------------------------------------------------
Key = tuple[str, str, str]
"""(attribute name, HASH or RANGE, attribute type S/N/B)."""
KEY_ATTRIBUTES = ("customer_id", "order_id")
"""An order's key: (customer_id, order_id)."""
TABLE_KEYS: tuple[Key, ...] = (("customer_id", "HASH", "S"), ("order_id", "RANGE", "S"))
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"


@dataclass(frozen=True)
class IndexSpec:
    name: str
    kind: str
    """Where DescribeTable lists it: GlobalSecondaryIndexes or LocalSecondaryIndexes."""
    keys: tuple[Key, ...]
    task: int

    def definition(self) -> dict[str, Any]:
        """The index as create_table takes it (projection ALL)."""
        return {
            "IndexName": self.name,
            "KeySchema": [{"AttributeName": name, "KeyType": kind} for name, kind, _ in self.keys],
            "Projection": {"ProjectionType": "ALL"},
        }


GSI = IndexSpec(
    "StatusDateIndex", "GlobalSecondaryIndexes", (("status", "HASH", "S"), ("order_date", "RANGE", "S")), 2
)
LSI = IndexSpec(
    "CustomerAmountIndex",
    "LocalSecondaryIndexes",
    (("customer_id", "HASH", "S"), ("total_amount", "RANGE", "N")),
    3,
)
GSI_NAME, LSI_NAME = GSI.name, LSI.name


def reference_table(student_id: str) -> dict[str, Any]:
    """The create_table arguments of the reference table (the solution deploys it, the sandbox seeds it)."""
    attributes = {name: kind for name, _, kind in (*TABLE_KEYS, *GSI.keys, *LSI.keys)}
    return dict(
        TableName=table_name(student_id),
        BillingMode="PAY_PER_REQUEST",
        TableClass="STANDARD",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
        KeySchema=[{"AttributeName": name, "KeyType": kind} for name, kind, _ in TABLE_KEYS],
        GlobalSecondaryIndexes=[GSI.definition()],
        LocalSecondaryIndexes=[LSI.definition()],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE},
        Tags=[{"Key": key, "Value": value} for key, value in table_tags(student_id).items()],
    )


# The seed orders: the reference solution loads them, the sandbox's table holds them ------------------
SEED_CUSTOMERS = ("CUST001", "CUST002", "CUST003", "CUST004", "CUST005")
ORDER_STATUSES = ("pending", "processing", "shipped", "delivered")
SEED_PRODUCTS = ("Laptop", "Mouse", "Keyboard", "Monitor", "Headphones")
SEED_COUNT = 20


def order_key(customer: str, order: str) -> dict[str, str]:
    return {"customer_id": customer, "order_id": order}


def key_of(item: dict[str, Any]) -> tuple[Any, Any] | None:
    """(customer_id, order_id) of a plain item or key; None when it lacks either."""
    if not all(name in item for name in KEY_ATTRIBUTES):
        return None
    return item["customer_id"], item["order_id"]


def seed_key(number: int) -> dict[str, str]:
    """The key of seed order ORD{number:04d} (1 to SEED_COUNT)."""
    return order_key(SEED_CUSTOMERS[(number - 1) % len(SEED_CUSTOMERS)], f"ORD{number:04d}")


def seed_orders(today: date | None = None) -> list[dict[str, Any]]:
    """SEED_COUNT orders over every customer and status, fixed but for their dates (around today);
    ORD0001 belongs to CUST001 and is pending, as the later tasks assume."""
    today = today or date.today()
    return [
        {
            **seed_key(i),
            "status": ORDER_STATUSES[(i - 1) % len(ORDER_STATUSES)],
            "order_date": (today - timedelta(days=(i * 7) % 31)).isoformat(),
            "product": SEED_PRODUCTS[(i * 3) % len(SEED_PRODUCTS)],
            "quantity": 1 + (i * 2) % 5,
            "total_amount": Decimal(f"{50 + (i * 137.35) % 1450:.2f}"),
            "shipping_address": f"{100 + i * 37} Main St, City, State",
            "created_at": f"{today.isoformat()}T09:00:00",
        }
        for i in range(1, SEED_COUNT + 1)
    ]

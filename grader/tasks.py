"""The one source of truth for the assessment's tasks: number, title, points."""

from __future__ import annotations

from dataclasses import dataclass

ASSESSMENT = "dynamodb-medium"


@dataclass(frozen=True)
class TaskInfo:
    number: int
    title: str
    points: float


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
MAX_SCORE: float = sum(task.points for task in TASKS)


def table_name(student_id: str) -> str:
    """The student's orders table."""
    return f"orders-{student_id}"


def function_name(student_id: str) -> str:
    """The student's stream-processing Lambda function."""
    return f"process-orders-stream-{student_id}"


GSI_NAME = "StatusDateIndex"
LSI_NAME = "CustomerAmountIndex"

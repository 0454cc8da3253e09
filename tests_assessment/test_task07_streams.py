"""Task 7: DynamoDB Streams on the table, with new and old images, and the stream itself ENABLED."""

from __future__ import annotations

from typing import Any

import pytest

from grader import arns, prerequisites
from grader.assessment import STREAM_VIEW_TYPE
from grader.failures import require
from grader.resources import StudentResources

pytestmark = pytest.mark.task(7)

VIEW_TYPE = STREAM_VIEW_TYPE
TURN_ON = (
    "Turn it on: update_table(StreamSpecification={'StreamEnabled': True, "
    f"'StreamViewType': '{VIEW_TYPE}'}})"
)


@pytest.mark.points(2)
def test_stream_enabled(table: dict[str, Any]) -> None:
    """DynamoDB Streams is enabled on the table"""
    enabled = table.get("StreamSpecification", {}).get("StreamEnabled", False)
    require(
        enabled, f"table {table['TableName']} has DynamoDB Streams turned off", "StreamEnabled=True", TURN_ON
    )


@pytest.mark.points(2)
def test_stream_view_type(table: dict[str, Any]) -> None:
    """stream view type is NEW_AND_OLD_IMAGES"""
    prerequisites.stream_arn(table)
    view_type = table["StreamSpecification"].get("StreamViewType", "none")
    require(
        view_type == VIEW_TYPE,
        f"the stream's view type is {view_type}",
        VIEW_TYPE,
        "The view type cannot change on a live stream: turn the stream off, then on again with "
        f"StreamViewType='{VIEW_TYPE}'",
    )


@pytest.mark.points(2)
def test_latest_stream_arn(table: dict[str, Any]) -> None:
    """table reports its LatestStreamArn"""
    arn = table.get("LatestStreamArn")
    require(
        arn and arns.parse(arn).stream_table is not None,
        f"table {table['TableName']} reports LatestStreamArn={arn}",
        "the ARN of its stream",
        TURN_ON,
    )


@pytest.mark.points(2)
def test_stream_status_enabled(table: dict[str, Any], student: StudentResources) -> None:
    """the table's stream is ENABLED"""
    arn = prerequisites.stream_arn(table)
    stream = student.stream(arn)
    status = stream["StreamStatus"] if stream else "not found"
    require(
        status in ("ENABLED", "ENABLING"),
        f"stream {arns.parse(arn).stream_label} is {status}",
        "ENABLED",
        TURN_ON,
    )

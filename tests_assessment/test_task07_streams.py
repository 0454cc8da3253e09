"""Task 7: DynamoDB Streams on the table, with new and old images, and the stream itself ENABLED."""

from __future__ import annotations

import pytest

from grader.assessment import STREAM_VIEW_TYPE
from grader.aws import arns
from grader.aws.resources import StudentResources
from grader.aws.views import TableView
from grader.checks import prerequisites
from grader.failures import require

pytestmark = pytest.mark.task(7)

VIEW_TYPE = STREAM_VIEW_TYPE
TURN_ON = (
    "Turn it on: update_table(StreamSpecification={'StreamEnabled': True, "
    f"'StreamViewType': '{VIEW_TYPE}'}})"
)


@pytest.mark.points(2)
def test_stream_enabled(table: TableView) -> None:
    """DynamoDB Streams is enabled on the table"""
    require(
        table.stream_enabled,
        f"table {table.name} has DynamoDB Streams turned off",
        "StreamEnabled=True",
        TURN_ON,
    )


@pytest.mark.points(2)
def test_stream_view_type(table: TableView) -> None:
    """stream view type is NEW_AND_OLD_IMAGES"""
    prerequisites.stream_arn(table)
    view_type = table.stream_view_type or "none"
    require(
        view_type == VIEW_TYPE,
        f"the stream's view type is {view_type}",
        VIEW_TYPE,
        "The view type cannot change on a live stream: turn the stream off, then on again with "
        f"StreamViewType='{VIEW_TYPE}'",
    )


@pytest.mark.points(2)
def test_latest_stream_arn(table: TableView) -> None:
    """table reports its LatestStreamArn"""
    arn = table.latest_stream_arn
    require(
        arn and arns.parse(arn).stream_table is not None,
        f"table {table.name} reports LatestStreamArn={arn}",
        "the ARN of its stream",
        TURN_ON,
    )


@pytest.mark.points(2)
def test_stream_status_enabled(table: TableView, student: StudentResources) -> None:
    """the table's stream is ENABLED"""
    arn = prerequisites.stream_arn(table)
    status = student.stream_status(arn) or "not found"
    require(
        status == "ENABLED",
        f"stream {arns.parse(arn).stream_label} is {status}",
        "ENABLED",
        TURN_ON,
    )

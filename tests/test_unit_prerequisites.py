"""grader.checks.prerequisites without AWS: a missing index, stream or role fails with one clear message."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from grader.assessment import GSI, LSI
from grader.aws import arns
from grader.aws.views import IndexView, TableView
from grader.checks import prerequisites
from grader.failures import RequirementFailed

DESCRIPTION: dict[str, Any] = {
    "TableName": "orders-alice",
    "TableArn": "arn:aws:dynamodb:us-east-1:1:table/orders-alice",
    "TableStatus": "ACTIVE",
    "KeySchema": [],
    "GlobalSecondaryIndexes": [{"IndexName": "statusdateindex", "KeySchema": []}],
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    "LatestStreamArn": "arn:aws:dynamodb:us-east-1:1:table/orders-alice/stream/label",
}
TABLE = TableView.from_aws(DESCRIPTION)


def test_an_index_is_found_by_its_exact_name() -> None:
    wrong_case = "table orders-alice has no GSI StatusDateIndex (its GSIs: statusdateindex); expected GSI"
    with pytest.raises(RequirementFailed, match=re.escape(wrong_case)):
        prerequisites.index(TABLE, GSI)
    assert prerequisites.index(TABLE, replace(GSI, name="statusdateindex")) == IndexView(
        "statusdateindex", (), None, None
    )


def test_a_missing_lsi_says_it_comes_only_with_the_table() -> None:
    with pytest.raises(RequirementFailed) as failure:
        prerequisites.index(TABLE, LSI)
    assert (
        "its LSIs: none" in failure.value.message
        and "only be created with the table" in failure.value.message
    )
    assert failure.value.message.endswith("this check depends on it.")


@pytest.mark.parametrize(
    "changes",
    [
        {"StreamSpecification": {"StreamEnabled": False}},
        {"StreamSpecification": None},
        {"LatestStreamArn": None},
    ],
)
def test_the_stream_needs_streams_on_and_an_arn(changes: dict[str, Any]) -> None:
    table = TableView.from_aws({k: v for k, v in (DESCRIPTION | changes).items() if v is not None})
    with pytest.raises(
        RequirementFailed, match="has DynamoDB Streams turned off; expected a stream on the table"
    ):
        prerequisites.stream_arn(table)
    assert prerequisites.stream_arn(TABLE) == DESCRIPTION["LatestStreamArn"]


@pytest.mark.parametrize(
    "arn, name",
    [
        (
            "arn:aws:iam::123456789012:role/process-orders-stream-role-alice",
            "process-orders-stream-role-alice",
        ),
        ("arn:aws:iam::123456789012:role/service-role/orders-role-x1y2", "orders-role-x1y2"),
    ],
)
def test_a_roles_path_is_not_part_of_its_name(arn: str, name: str) -> None:
    assert arns.parse(arn).name == name

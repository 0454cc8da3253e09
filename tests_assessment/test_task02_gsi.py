"""Task 2: the global secondary index StatusDateIndex: keys, projection ALL, ACTIVE."""

from __future__ import annotations

from typing import Any

import pytest

from grader import prerequisites, schema
from grader.assessment import GSI, GSI_NAME
from grader.failures import require

pytestmark = pytest.mark.task(2)

EXPECTED_KEYS = list(GSI.keys)
RECREATE = (
    "Delete the index (update_table with GlobalSecondaryIndexUpdates=[{{'Delete': ...}}]) and create it "
    "again with {}"
)


@pytest.fixture
def gsi(table: dict[str, Any]) -> dict[str, Any]:
    """The StatusDateIndex entry of the table; a missing index fails every check of the task."""
    return prerequisites.index(table, GSI)


@pytest.mark.points(2)
def test_gsi_exists(gsi: dict[str, Any]) -> None:
    """GSI StatusDateIndex exists"""


@pytest.mark.points(2)
def test_gsi_keys(gsi: dict[str, Any], table: dict[str, Any]) -> None:
    """GSI key is HASH status (S) + RANGE order_date (S)"""
    found = schema.keys(gsi["KeySchema"], table)
    expected = schema.describe(EXPECTED_KEYS)
    require(
        found == EXPECTED_KEYS,
        f"GSI {GSI_NAME} is keyed {schema.describe(found)}",
        expected,
        RECREATE.format(expected),
    )


@pytest.mark.points(2)
def test_gsi_projects_all(gsi: dict[str, Any]) -> None:
    """GSI projects ALL attributes"""
    projection = gsi.get("Projection", {}).get("ProjectionType", "none")
    require(
        projection == "ALL",
        f"GSI {GSI_NAME} projects {projection}",
        "ALL",
        RECREATE.format("Projection={'ProjectionType': 'ALL'}"),
    )


@pytest.mark.points(2)
def test_gsi_active(gsi: dict[str, Any]) -> None:
    """GSI is ACTIVE"""
    status = gsi.get("IndexStatus", "unknown")
    require(
        status == "ACTIVE",
        f"GSI {GSI_NAME} is {status}",
        "ACTIVE",
        "Wait until the index finishes building (backfilling), then grade again",
    )
